"""The raw data contract: the eight Kaggle Home Credit files, their columns (in file order) and rules.

Column kinds: ``int`` is a complete integer column, ``float`` a numeric column that may be missing,
``str`` a category label that may be missing. Rules are plain data (``("lt", 0)``, ``("isin", [...])``):
the pandera schemas that validate the files and the service's request models are both built from them,
so a file row and a request row obey one definition. Real files must pass these schemas unchanged.
Tables are polars frames: integers as Int64, numbers as Float64, labels as Categorical.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import polars as pl

from pret_a_depenser.constants import NO_DATE

if TYPE_CHECKING:
    import pandera.polars as pa

BUILDING_STEMS = (
    "APARTMENTS",
    "BASEMENTAREA",
    "YEARS_BEGINEXPLUATATION",
    "YEARS_BUILD",
    "COMMONAREA",
    "ELEVATORS",
    "ENTRANCES",
    "FLOORSMAX",
    "FLOORSMIN",
    "LANDAREA",
    "LIVINGAPARTMENTS",
    "LIVINGAREA",
    "NONLIVINGAPARTMENTS",
    "NONLIVINGAREA",
)


def _kinds(spec: str) -> dict[str, str]:
    """Parse ``"COL:kind COL:kind ..."`` into an ordered column -> kind mapping."""
    return dict(item.split(":") for item in spec.split())


APPLICATION_COLUMNS = {
    **_kinds(
        "SK_ID_CURR:int TARGET:int NAME_CONTRACT_TYPE:str CODE_GENDER:str FLAG_OWN_CAR:str FLAG_OWN_REALTY:str "
        "CNT_CHILDREN:int AMT_INCOME_TOTAL:float AMT_CREDIT:float AMT_ANNUITY:float AMT_GOODS_PRICE:float "
        "NAME_TYPE_SUITE:str NAME_INCOME_TYPE:str NAME_EDUCATION_TYPE:str NAME_FAMILY_STATUS:str "
        "NAME_HOUSING_TYPE:str REGION_POPULATION_RELATIVE:float DAYS_BIRTH:int DAYS_EMPLOYED:int "
        "DAYS_REGISTRATION:float DAYS_ID_PUBLISH:int OWN_CAR_AGE:float FLAG_MOBIL:int FLAG_EMP_PHONE:int "
        "FLAG_WORK_PHONE:int FLAG_CONT_MOBILE:int FLAG_PHONE:int FLAG_EMAIL:int OCCUPATION_TYPE:str "
        "CNT_FAM_MEMBERS:float REGION_RATING_CLIENT:int REGION_RATING_CLIENT_W_CITY:int "
        "WEEKDAY_APPR_PROCESS_START:str HOUR_APPR_PROCESS_START:int REG_REGION_NOT_LIVE_REGION:int "
        "REG_REGION_NOT_WORK_REGION:int LIVE_REGION_NOT_WORK_REGION:int REG_CITY_NOT_LIVE_CITY:int "
        "REG_CITY_NOT_WORK_CITY:int LIVE_CITY_NOT_WORK_CITY:int ORGANIZATION_TYPE:str EXT_SOURCE_1:float "
        "EXT_SOURCE_2:float EXT_SOURCE_3:float"
    ),
    **{f"{stem}_{suffix}": "float" for suffix in ("AVG", "MODE", "MEDI") for stem in BUILDING_STEMS},
    **_kinds(
        "FONDKAPREMONT_MODE:str HOUSETYPE_MODE:str TOTALAREA_MODE:float WALLSMATERIAL_MODE:str "
        "EMERGENCYSTATE_MODE:str OBS_30_CNT_SOCIAL_CIRCLE:float DEF_30_CNT_SOCIAL_CIRCLE:float "
        "OBS_60_CNT_SOCIAL_CIRCLE:float DEF_60_CNT_SOCIAL_CIRCLE:float DAYS_LAST_PHONE_CHANGE:float"
    ),
    **{f"FLAG_DOCUMENT_{number}": "int" for number in range(2, 22)},
    **{f"AMT_REQ_CREDIT_BUREAU_{period}": "float" for period in ("HOUR", "DAY", "WEEK", "MON", "QRT", "YEAR")},
}
APPLICATION_TEST_COLUMNS = {name: kind for name, kind in APPLICATION_COLUMNS.items() if name != "TARGET"}
BUREAU_COLUMNS = _kinds(
    "SK_ID_CURR:int SK_ID_BUREAU:int CREDIT_ACTIVE:str CREDIT_CURRENCY:str DAYS_CREDIT:int "
    "CREDIT_DAY_OVERDUE:int DAYS_CREDIT_ENDDATE:float DAYS_ENDDATE_FACT:float AMT_CREDIT_MAX_OVERDUE:float "
    "CNT_CREDIT_PROLONG:int AMT_CREDIT_SUM:float AMT_CREDIT_SUM_DEBT:float AMT_CREDIT_SUM_LIMIT:float "
    "AMT_CREDIT_SUM_OVERDUE:float CREDIT_TYPE:str DAYS_CREDIT_UPDATE:int AMT_ANNUITY:float"
)
BUREAU_BALANCE_COLUMNS = _kinds("SK_ID_BUREAU:int MONTHS_BALANCE:int STATUS:str")
PREVIOUS_APPLICATION_COLUMNS = _kinds(
    "SK_ID_PREV:int SK_ID_CURR:int NAME_CONTRACT_TYPE:str AMT_ANNUITY:float AMT_APPLICATION:float "
    "AMT_CREDIT:float AMT_DOWN_PAYMENT:float AMT_GOODS_PRICE:float WEEKDAY_APPR_PROCESS_START:str "
    "HOUR_APPR_PROCESS_START:int FLAG_LAST_APPL_PER_CONTRACT:str NFLAG_LAST_APPL_IN_DAY:int "
    "RATE_DOWN_PAYMENT:float RATE_INTEREST_PRIMARY:float RATE_INTEREST_PRIVILEGED:float "
    "NAME_CASH_LOAN_PURPOSE:str NAME_CONTRACT_STATUS:str DAYS_DECISION:int NAME_PAYMENT_TYPE:str "
    "CODE_REJECT_REASON:str NAME_TYPE_SUITE:str NAME_CLIENT_TYPE:str NAME_GOODS_CATEGORY:str "
    "NAME_PORTFOLIO:str NAME_PRODUCT_TYPE:str CHANNEL_TYPE:str SELLERPLACE_AREA:int "
    "NAME_SELLER_INDUSTRY:str CNT_PAYMENT:float NAME_YIELD_GROUP:str PRODUCT_COMBINATION:str "
    "DAYS_FIRST_DRAWING:float DAYS_FIRST_DUE:float DAYS_LAST_DUE_1ST_VERSION:float DAYS_LAST_DUE:float "
    "DAYS_TERMINATION:float NFLAG_INSURED_ON_APPROVAL:float"
)
POS_CASH_BALANCE_COLUMNS = _kinds(
    "SK_ID_PREV:int SK_ID_CURR:int MONTHS_BALANCE:int CNT_INSTALMENT:float CNT_INSTALMENT_FUTURE:float "
    "NAME_CONTRACT_STATUS:str SK_DPD:int SK_DPD_DEF:int"
)
INSTALLMENTS_PAYMENTS_COLUMNS = _kinds(
    "SK_ID_PREV:int SK_ID_CURR:int NUM_INSTALMENT_VERSION:float NUM_INSTALMENT_NUMBER:int "
    "DAYS_INSTALMENT:float DAYS_ENTRY_PAYMENT:float AMT_INSTALMENT:float AMT_PAYMENT:float"
)
CREDIT_CARD_BALANCE_COLUMNS = _kinds(
    "SK_ID_PREV:int SK_ID_CURR:int MONTHS_BALANCE:int AMT_BALANCE:float AMT_CREDIT_LIMIT_ACTUAL:int "
    "AMT_DRAWINGS_ATM_CURRENT:float AMT_DRAWINGS_CURRENT:float AMT_DRAWINGS_OTHER_CURRENT:float "
    "AMT_DRAWINGS_POS_CURRENT:float AMT_INST_MIN_REGULARITY:float AMT_PAYMENT_CURRENT:float "
    "AMT_PAYMENT_TOTAL_CURRENT:float AMT_RECEIVABLE_PRINCIPAL:float AMT_RECIVABLE:float "
    "AMT_TOTAL_RECEIVABLE:float CNT_DRAWINGS_ATM_CURRENT:float CNT_DRAWINGS_CURRENT:int "
    "CNT_DRAWINGS_OTHER_CURRENT:float CNT_DRAWINGS_POS_CURRENT:float CNT_INSTALMENT_MATURE_CUM:float "
    "NAME_CONTRACT_STATUS:str SK_DPD:int SK_DPD_DEF:int"
)

# A column rule: (comparison, bound) with comparison one of lt, le, gt, ge, or ("isin", allowed values).
Rule = tuple[str, Any]
BUREAU_BALANCE_STATUSES = ["0", "1", "2", "3", "4", "5", "C", "X"]
CONTRACT_STATUSES = ["Approved", "Canceled", "Refused", "Unused offer"]

# Plausible ranges, by column family, that every row of the real Kaggle files satisfies: a value outside
# is a data error, not an applicant. Day offsets reach back at most 200 years (the real bureau files go
# back 115) and forward at most to 365243, the files' "no date" sentinel; months reach back at most 100
# years; amounts stay within +/- 1e12 (real maxima are below 1e9; card balances and bureau debts may be
# negative); normalised scores and building figures lie in [0, 1]; counts, days past due and hours are
# never negative.
DAY_OFFSET_RANGE: list[Rule] = [("ge", -73_050), ("le", NO_DATE)]
MONTH_OFFSET_RANGE: list[Rule] = [("ge", -1_200)]
AMOUNT_RANGE: list[Rule] = [("ge", -1e12), ("le", 1e12)]
UNIT_RANGE: list[Rule] = [("ge", 0), ("le", 1)]
NON_NEGATIVE: list[Rule] = [("ge", 0)]
HOUR_RANGE: list[Rule] = [("ge", 0), ("le", 23)]
NON_NEGATIVE_AMOUNTS = {  # per file: the amounts that are never negative in the real files
    "application_train.csv": ["AMT_INCOME_TOTAL", "AMT_CREDIT", "AMT_ANNUITY", "AMT_GOODS_PRICE"],
    "application_test.csv": ["AMT_INCOME_TOTAL", "AMT_CREDIT", "AMT_ANNUITY", "AMT_GOODS_PRICE"],
    "bureau.csv": ["AMT_CREDIT_MAX_OVERDUE", "AMT_CREDIT_SUM", "AMT_CREDIT_SUM_OVERDUE", "AMT_ANNUITY"],
    "previous_application.csv": ["AMT_ANNUITY", "AMT_APPLICATION", "AMT_CREDIT", "AMT_GOODS_PRICE"],
    "installments_payments.csv": ["AMT_INSTALMENT", "AMT_PAYMENT"],
    "credit_card_balance.csv": [
        "AMT_CREDIT_LIMIT_ACTUAL",
        "AMT_INST_MIN_REGULARITY",
        "AMT_PAYMENT_CURRENT",
        "AMT_PAYMENT_TOTAL_CURRENT",
    ],
}


def _family_range(file_name: str, column: str) -> list[Rule]:
    """The plausible range of a column from its family (name), as rules."""
    if column.startswith("DAYS_"):
        return DAY_OFFSET_RANGE
    if column == "MONTHS_BALANCE":
        return MONTH_OFFSET_RANGE
    if column.startswith("AMT_REQ_CREDIT_BUREAU_"):
        return NON_NEGATIVE
    if column.startswith("AMT_"):
        return [("ge", 0), ("le", 1e12)] if column in NON_NEGATIVE_AMOUNTS.get(file_name, []) else AMOUNT_RANGE
    if column.startswith("EXT_SOURCE_") or column == "REGION_POPULATION_RELATIVE" or column.endswith(("_AVG", "_MEDI")):
        return UNIT_RANGE
    if column.startswith(BUILDING_STEMS) or column == "TOTALAREA_MODE":
        return UNIT_RANGE
    if column.startswith(("CNT_", "SK_DPD", "OBS_", "DEF_", "NUM_INSTALMENT_")) or column in (
        "CREDIT_DAY_OVERDUE",
        "OWN_CAR_AGE",
    ):
        return NON_NEGATIVE
    if column == "HOUR_APPR_PROCESS_START":
        return HOUR_RANGE
    return []


def _with_plausible_ranges(file_name: str, columns: dict[str, str], rules: dict[str, list[Rule]]) -> dict[str, list[Rule]]:
    """The file's own rules, plus its columns' family ranges for each comparison the file's rules leave open."""
    combined = {}
    for column, kind in columns.items():
        own = rules.get(column, [])
        compared = {comparison for comparison, _ in own}
        lower_set = bool(compared & {"gt", "ge", "isin"})
        upper_set = bool(compared & {"lt", "le", "isin"})
        family = [
            (comparison, bound)
            for comparison, bound in _family_range(file_name, column)
            if kind != "str" and not (comparison in ("gt", "ge") and lower_set) and not (comparison in ("lt", "le") and upper_set)
        ]
        if own or family:
            combined[column] = [*own, *family]
    return combined


# Kaggle file name -> (columns, unique key columns, rules per column: the file's own, then family ranges).
_FILES: dict[str, tuple[dict[str, str], list[str], dict[str, list[Rule]]]] = {
    "application_train.csv": (
        APPLICATION_COLUMNS,
        ["SK_ID_CURR"],
        {"TARGET": [("isin", [0, 1])], "DAYS_BIRTH": [("lt", 0)], "AMT_CREDIT": [("gt", 0)]},
    ),
    "application_test.csv": (APPLICATION_TEST_COLUMNS, ["SK_ID_CURR"], {"DAYS_BIRTH": [("lt", 0)]}),
    "bureau.csv": (BUREAU_COLUMNS, ["SK_ID_BUREAU"], {"DAYS_CREDIT": [("le", 0)]}),
    "bureau_balance.csv": (
        BUREAU_BALANCE_COLUMNS,
        ["SK_ID_BUREAU", "MONTHS_BALANCE"],
        {"STATUS": [("isin", BUREAU_BALANCE_STATUSES)], "MONTHS_BALANCE": [("le", 0)]},
    ),
    "previous_application.csv": (
        PREVIOUS_APPLICATION_COLUMNS,
        ["SK_ID_PREV"],
        {"NAME_CONTRACT_STATUS": [("isin", CONTRACT_STATUSES)]},
    ),
    "POS_CASH_balance.csv": (POS_CASH_BALANCE_COLUMNS, [], {"MONTHS_BALANCE": [("lt", 0)]}),
    "installments_payments.csv": (INSTALLMENTS_PAYMENTS_COLUMNS, [], {}),
    "credit_card_balance.csv": (CREDIT_CARD_BALANCE_COLUMNS, [], {"MONTHS_BALANCE": [("lt", 0)]}),
}
RAW_TABLES: dict[str, tuple[dict[str, str], list[str], dict[str, list[Rule]]]] = {
    file_name: (columns, keys, _with_plausible_ranges(file_name, columns, rules))
    for file_name, (columns, keys, rules) in _FILES.items()
}
# The eight files' names without ".csv", in the contract's order (catalog entries are raw_<name>).
KAGGLE_TABLES = tuple(file_name.removesuffix(".csv") for file_name in _FILES)

# The tables of one applicant's records (as in requests and the feature transform) -> Kaggle file of its columns.
TABLE_FILES = {
    "application": "application_test.csv",
    "bureau": "bureau.csv",
    "bureau_balance": "bureau_balance.csv",
    "previous_application": "previous_application.csv",
    "POS_CASH_balance": "POS_CASH_balance.csv",
    "installments_payments": "installments_payments.csv",
    "credit_card_balance": "credit_card_balance.csv",
}

POLARS_DTYPES = {"int": pl.Int64, "float": pl.Float64, "str": pl.Categorical}


def raw_table_dtypes(file_name: str) -> dict[str, pl.DataType]:
    """Column -> polars dtype of one Kaggle file, in file order."""
    return {name: POLARS_DTYPES[kind] for name, kind in RAW_TABLES[file_name][0].items()}


def empty_raw_table(file_name: str) -> pl.DataFrame:
    """A table of the file's contract with no rows (e.g. an applicant without bureau credits)."""
    return pl.DataFrame(schema=raw_table_dtypes(file_name))


def raw_table_schema(file_name: str) -> pa.DataFrameSchema:
    """The pandera (polars backend) schema of one Kaggle file's column rules, named after the file.

    Dtypes are checked, not coerced (the raw-table dataset parses with the contract's dtypes), and key
    uniqueness is checked separately: pandera's multi-column uniqueness hashes row structs, 30x slower
    than needed on the 27 M rows of bureau_balance.
    """
    import pandera.polars as pa  # the service builds its request models from the rules, without pandera

    checks = {"lt": pa.Check.lt, "le": pa.Check.le, "gt": pa.Check.gt, "ge": pa.Check.ge, "isin": pa.Check.isin}
    columns, _, rules = RAW_TABLES[file_name]
    return pa.DataFrameSchema(
        {
            name: pa.Column(
                POLARS_DTYPES[kind],
                checks=[checks[kind_of](bound) for kind_of, bound in rules.get(name, [])],
                nullable=kind != "int",
            )
            for name, kind in columns.items()
        },
        name=file_name,
    )
