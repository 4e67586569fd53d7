"""The request contract: an applicant as the records a lender holds, in the Kaggle files' shape.

The request models are generated from the raw data contract (``raw_contract.RAW_TABLES``: columns,
kinds, rules and vocabularies), the definition the pandera schemas of the files are built from too.
Strict: a string where a number is expected, a float in an integer column, NaN/inf, an unknown field
or a value outside a vocabulary is a 400 naming the table, the row index and the field.

Two decoders share the contract. The pydantic models are the routes' schema and the source of their
400s; ``decode_applicant`` and ``applicant_batch_decoder`` parse a body into msgspec structs generated
from the same rules (decision record 19): a 1,000-applicant batch in ~0.15 s instead of ~0.85 s. A body
they refuse is validated again by the pydantic models, which name every invalid field; so they only
speed up valid bodies and never answer differently (tests: every rule of the contract, both ways).

``applicant_columns`` turns validated applicants, of either kind, into the tables the feature
transform takes, as if their rows had been read from the files.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Collection, Sequence
from operator import attrgetter
from typing import Annotated, Any, Literal

import msgspec
import numpy as np
import polars as pl
from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Field,
    RootModel,
    StrictFloat,
    StrictInt,
    StrictStr,
    create_model,
    model_validator,
)

from pret_a_depenser.constants import APPLICANT_KEY
from pret_a_depenser.features.column_table import ColumnTable
from pret_a_depenser.raw_contract import RAW_TABLES, TABLE_FILES

MAX_LABEL_LENGTH = 200
MISSING_LABEL = "MISSING"  # the model's level for a missing label: a client sends null instead
INT64_MIN, INT64_MAX = -(2**63), 2**63 - 1  # the files' integer columns are read as Int64
MAX_ROWS_PER_TABLE = 2000  # a median Kaggle applicant has ~40 instalments; the longest ~370 card months
REQUEST_TABLES = TABLE_FILES  # request table -> Kaggle file whose columns its rows have
HISTORY_TABLES = tuple(name for name in REQUEST_TABLES if name != "application")
# Link columns: rows of these tables refer to a credit of the applicant's bureau or previous applications.
LINK_KEYS = {
    "SK_ID_BUREAU": ("bureau", "bureau_balance"),
    "SK_ID_PREV": ("previous_application", "POS_CASH_balance", "installments_payments", "credit_card_balance"),
}


class _Record(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True, allow_inf_nan=False, frozen=True)


def _field(kind: str, rules: list[tuple[str, Any]], required: bool) -> tuple[Any, Any]:
    """Type and pydantic field of one contract column."""
    bounds = {comparison: bound for comparison, bound in rules if comparison != "isin"}
    allowed = next((bound for comparison, bound in rules if comparison == "isin"), None)
    if allowed is not None:
        annotation: Any = Literal[tuple(allowed)]
    elif kind == "int":
        annotation = StrictInt
    elif kind == "float":
        annotation = StrictFloat  # strict: JSON integers pass, strings and booleans do not
    else:
        annotation = Annotated[StrictStr, AfterValidator(_not_the_missing_token)]
    extra = {"max_length": MAX_LABEL_LENGTH} if kind == "str" and allowed is None else {}
    if kind == "int" and allowed is None:
        extra = {"ge": INT64_MIN, "le": INT64_MAX, **{key: value for key, value in bounds.items()}}
        bounds = {}
    if required:
        return annotation, Field(..., **bounds, **extra)
    return annotation | None, Field(default=None, **bounds, **extra)


def _not_the_missing_token(value: str) -> str:
    if value == MISSING_LABEL:
        raise ValueError(
            f"{MISSING_LABEL!r} is the model's token for a missing label: send null (or leave the field out) instead"
        )
    return value


def record_model(table: str) -> type[BaseModel]:
    """The model of one row of ``table``: the columns of its Kaggle file, complete ones required.

    A history row's ``SK_ID_CURR`` may be left out: it is the application's.
    """
    file_name = REQUEST_TABLES[table]
    columns, _, rules = RAW_TABLES[file_name]
    fields = {
        name: _field(kind, rules.get(name, []), required=kind == "int" and not (name == APPLICANT_KEY and table != "application"))
        for name, kind in columns.items()
    }
    title = "".join(part[:1].upper() + part[1:] for part in table.split("_")) + "Row"
    return create_model(title, __base__=_Record, __doc__=f"One row of {file_name} (null or absent = missing).", **fields)


RECORD_MODELS = {table: record_model(table) for table in REQUEST_TABLES}
_KEYS = {table: RAW_TABLES[file_name][1] for table, file_name in REQUEST_TABLES.items()}


def _history_check(table: str) -> tuple[bool, list[str], Callable[[Any], Any] | None]:
    """Whether ``table``'s rows carry ``SK_ID_CURR``, its key within an applicant, and the key's getter."""
    columns, keys, _ = RAW_TABLES[REQUEST_TABLES[table]]
    key = [name for name in keys if name != APPLICANT_KEY]
    return APPLICANT_KEY in columns, key, attrgetter(*key) if key else None


_HISTORY_CHECKS = {table: _history_check(table) for table in HISTORY_TABLES}


def _check_history(applicant: ApplicantRecords) -> ApplicantRecords:
    """Every history row belongs to the application, and the files' keys are unique within the applicant."""
    applicant_id = applicant.application.SK_ID_CURR
    for table, (linked, key, key_of) in _HISTORY_CHECKS.items():
        rows = getattr(applicant, table)
        if linked and {row.SK_ID_CURR for row in rows} - {None, applicant_id}:
            index, row_applicant = next(
                (index, row.SK_ID_CURR) for index, row in enumerate(rows) if row.SK_ID_CURR not in (None, applicant_id)
            )
            raise ValueError(
                f"{table}[{index}].{APPLICANT_KEY}={row_applicant} names another applicant than the application's {applicant_id}"
            )
        if key_of is None:
            continue
        values = list(map(key_of, rows))
        if len(set(values)) == len(values):
            continue
        seen: dict[Any, int] = {}
        for index, value in enumerate(values):
            if value in seen:
                raise ValueError(f"{table}[{index}]: {', '.join(key)}={value} repeats row {seen[value]}")
            seen[value] = index
    return applicant


def _integer_bounds(bounds: dict[str, Any]) -> dict[str, int]:
    """An integer column's bounds as msgspec takes them: integers, one per side, int64's by default."""
    lower, upper = {"ge": INT64_MIN}, {"le": INT64_MAX}
    for comparison, bound in bounds.items():
        if comparison == "gt":
            lower = {"gt": int(bound)} if float(bound).is_integer() else {"ge": math.ceil(bound)}
        elif comparison == "ge":
            lower = {"ge": math.ceil(bound)}
        elif comparison == "lt":
            upper = {"lt": int(bound)} if float(bound).is_integer() else {"le": math.floor(bound)}
        else:
            upper = {"le": math.floor(bound)}
    return {**lower, **upper}


NOT_THE_MISSING_TOKEN = f"^(?!{MISSING_LABEL}$)"  # msgspec's pattern for _not_the_missing_token


def _struct_field(name: str, kind: str, rules: list[tuple[str, Any]], required: bool) -> tuple[Any, ...]:
    """``_field``'s column as a msgspec struct field: the same type, bounds and vocabulary."""
    bounds = {comparison: bound for comparison, bound in rules if comparison != "isin"}
    allowed = next((bound for comparison, bound in rules if comparison == "isin"), None)
    if allowed is not None:
        annotation: Any = Literal[tuple(allowed)]
    elif kind == "int":
        annotation = Annotated[int, msgspec.Meta(**_integer_bounds(bounds))]
    elif kind == "float":
        annotation = Annotated[float, msgspec.Meta(**bounds)] if bounds else float
    else:
        annotation = Annotated[str, msgspec.Meta(max_length=MAX_LABEL_LENGTH, pattern=NOT_THE_MISSING_TOKEN)]
    return (name, annotation) if required else (name, annotation | None, None)


def record_struct(table: str) -> type[msgspec.Struct]:
    """``record_model(table)`` as a msgspec struct, its fields in the file's column order."""
    columns, _, rules = RAW_TABLES[REQUEST_TABLES[table]]
    fields = [
        _struct_field(
            name, kind, rules.get(name, []), required=kind == "int" and not (name == APPLICANT_KEY and table != "application")
        )
        for name, kind in columns.items()
    ]
    # gc=False: rows hold plain values, never cycles, so a batch's rows are not walked by the collector
    return msgspec.defstruct(RECORD_MODELS[table].__name__, fields, kw_only=True, forbid_unknown_fields=True, gc=False)


RECORD_STRUCTS = {table: record_struct(table) for table in REQUEST_TABLES}
ApplicantStruct = msgspec.defstruct(
    "ApplicantRecords",
    [
        ("application", RECORD_STRUCTS["application"]),
        *(
            (table, Annotated[list[RECORD_STRUCTS[table]], msgspec.Meta(max_length=MAX_ROWS_PER_TABLE)], [])
            for table in HISTORY_TABLES
        ),
    ],
    kw_only=True,
    forbid_unknown_fields=True,
    gc=False,
)
_REFUSED = (msgspec.ValidationError, msgspec.DecodeError, ValueError)
_APPLICANT_DECODER = msgspec.json.Decoder(ApplicantStruct)


def decode_applicant(body: bytes) -> Any:
    """One applicant's records from a request body: a msgspec struct, or the pydantic model's 400."""
    try:
        return _check_history(_APPLICANT_DECODER.decode(body))
    except _REFUSED:
        return ApplicantRecords.model_validate_json(body)  # raises the ValidationError naming each field


def applicant_batch_decoder(max_size: int) -> Callable[[bytes], list[Any]]:
    """``decode_applicant`` for a batch body of at most ``max_size`` applicants with distinct ``SK_ID_CURR``."""
    decoder = msgspec.json.Decoder(Annotated[list[ApplicantStruct], msgspec.Meta(min_length=1, max_length=max_size)])
    batch_model = applicant_batch_model(max_size)

    def decode(body: bytes) -> list[Any]:
        try:
            applicants = decoder.decode(body)
            for applicant in applicants:
                _check_history(applicant)
            _distinct_applicants(applicants)
            return applicants
        except _REFUSED:
            return batch_model.model_validate_json(body).root

    return decode


def _history_field(table: str) -> tuple[Any, Any]:
    return list[RECORD_MODELS[table]], Field(
        default_factory=list,
        max_length=MAX_ROWS_PER_TABLE,
        description=f"Rows of {REQUEST_TABLES[table]}; absent or empty: none.",
    )


ApplicantRecords = create_model(
    "ApplicantRecords",
    __base__=_Record,
    __doc__="One applicant: the application and its credit history, as rows of the Kaggle files.",
    __validators__={"check_history": model_validator(mode="after")(_check_history)},
    application=(RECORD_MODELS["application"], Field(..., description="The columns of application_test.csv.")),
    **{table: _history_field(table) for table in HISTORY_TABLES},
)


def _distinct_applicants(applicants: Sequence[BaseModel]) -> None:
    seen: dict[int, int] = {}
    for index, applicant in enumerate(applicants):
        applicant_id = applicant.application.SK_ID_CURR
        if applicant_id in seen:
            raise ValueError(
                f"[{index}].application.{APPLICANT_KEY}={applicant_id} repeats applicant [{seen[applicant_id]}] of the batch"
            )
        seen[applicant_id] = index


def applicant_batch_model(max_size: int) -> type[RootModel]:
    """A non-empty list of at most ``max_size`` applicants with distinct ``SK_ID_CURR`` (a RootModel,
    so the body is parsed and validated in one pass)."""

    def check_distinct(batch: RootModel) -> RootModel:
        _distinct_applicants(batch.root)
        return batch

    return create_model(
        "ApplicantBatch",
        __base__=RootModel[Annotated[list[ApplicantRecords], Field(min_length=1, max_length=max_size)]],
        __doc__="Applicants to score in one request, each as its Kaggle records.",
        __validators__={"check_distinct": model_validator(mode="after")(check_distinct)},
    )


def applicant_columns(
    applicants: Sequence[BaseModel], application_columns: Collection[str] | None = None
) -> dict[str, ColumnTable]:
    """The applicants' rows as the raw tables of the files, held as numpy columns (``ColumnTable``): what
    the feature transform reads a request from, without building a frame per table.

    ``application_columns``: only these columns of the application (those a feature plan reads; the
    wide application is the costliest table to build); all by default. Each row gets its application's
    ``SK_ID_CURR``. ``SK_ID_BUREAU`` and ``SK_ID_PREV`` are numbered
    by the lender within one applicant only: they are renumbered so that two applicants of one batch
    never share a credit, keeping their order within the applicant (the transform's order). A monthly
    row whose credit is not among the applicant's stays unlinked, as an orphan row of the files.
    """
    _distinct_applicants(applicants)
    tables, owners = {}, {}
    for table, file_name in REQUEST_TABLES.items():
        columns = RAW_TABLES[file_name][0]
        if table == "application":
            if application_columns is not None:
                columns = {name: kind for name, kind in columns.items() if name in application_columns or name == APPLICANT_KEY}
            applicant_ids = [applicant.application.SK_ID_CURR for applicant in applicants]
            rows = [applicant.application for applicant in applicants]
        else:
            applicant_ids, rows = [], []
            for applicant in applicants:
                history = getattr(applicant, table)
                if history:
                    applicant_ids += [applicant.application.SK_ID_CURR] * len(history)
                    rows += history
        # a column is built from the rows when the transform first reads it (most are never read)
        tables[table] = ColumnTable.from_rows(rows, columns, {APPLICANT_KEY: applicant_ids} if APPLICANT_KEY in columns else {})
        owners[table] = np.array(applicant_ids, dtype=np.int64)
    for key, linked in LINK_KEYS.items():
        for table, numbers in zip(linked, _renumbered(tables, owners, key, linked), strict=True):
            tables[table] = tables[table].with_column(key, numbers)
    return tables


def _renumbered(
    tables: dict[str, ColumnTable], owners: dict[str, np.ndarray], key: str, linked: Sequence[str]
) -> list[np.ndarray]:
    """Each linked table's ``key`` renumbered: (applicant, lender's id) -> an id unique in the request,
    increasing with the lender's id within an applicant (1, 2, ...)."""
    applicants = np.concatenate([owners[table] for table in linked])
    ids = np.concatenate([tables[table][key].to_numpy() for table in linked]).astype(np.int64)
    order = np.lexsort((ids, applicants))
    new_pair = np.ones(len(order), dtype=np.int64)
    new_pair[1:] = (np.diff(applicants[order]) != 0) | (np.diff(ids[order]) != 0)
    numbers = np.empty(len(order), dtype=np.int64)
    numbers[order] = np.cumsum(new_pair) - 1
    return [part + 1 for part in np.split(numbers, np.cumsum([tables[table].height for table in linked])[:-1])]


def applicant_tables(
    applicants: Sequence[BaseModel], application_columns: Collection[str] | None = None
) -> dict[str, pl.DataFrame]:
    """``applicant_columns`` as polars frames with the files' dtypes, as if read from the files."""
    return {table: columns.to_polars() for table, columns in applicant_columns(applicants, application_columns).items()}


def records_json_schema() -> dict[str, Any]:
    """The JSON schema of one applicant's records (the OpenAPI schema of the scoring routes)."""
    return ApplicantRecords.model_json_schema()


def applicant_records(tables: dict[str, pl.DataFrame], applicant_ids: Sequence[int]) -> list[dict[str, Any]]:
    """The request bodies of some applicants, from raw tables of the files (the inverse of ``applicant_tables``).

    ``tables`` maps request table names to frames with the files' columns (``application`` may have
    TARGET, which a request never carries). History rows are those of the applicant (``SK_ID_CURR``),
    and the monthly rows of its bureau credits (``SK_ID_BUREAU``); their ``SK_ID_CURR`` is left out.
    """
    wanted = pl.Series(APPLICANT_KEY, list(applicant_ids), dtype=pl.Int64)
    application_columns = list(RAW_TABLES[REQUEST_TABLES["application"]][0])
    by_table: dict[str, dict[int, list[dict[str, Any]]]] = {}
    application = tables["application"].filter(pl.col(APPLICANT_KEY).is_in(wanted.implode()))
    by_table["application"] = {row[APPLICANT_KEY]: [row] for row in json_rows(application.select(application_columns))}
    bureau = tables.get("bureau")
    for table in HISTORY_TABLES:
        frame = tables.get(table)
        if frame is None or frame.is_empty():
            by_table[table] = {}
            continue
        if table == "bureau_balance":
            if bureau is None:
                by_table[table] = {}
                continue
            links = bureau.filter(pl.col(APPLICANT_KEY).is_in(wanted.implode())).select(APPLICANT_KEY, "SK_ID_BUREAU")
            frame = frame.join(links, on="SK_ID_BUREAU", how="inner")
        else:
            frame = frame.filter(pl.col(APPLICANT_KEY).is_in(wanted.implode()))
        columns = [name for name in RAW_TABLES[REQUEST_TABLES[table]][0] if name != APPLICANT_KEY]
        grouped: dict[int, list[dict[str, Any]]] = {}
        for applicant, row in zip(frame[APPLICANT_KEY].to_list(), json_rows(frame.select(columns)), strict=True):
            grouped.setdefault(applicant, []).append(row)
        by_table[table] = grouped
    records = []
    for applicant in applicant_ids:
        if applicant not in by_table["application"]:
            raise KeyError(f"{APPLICANT_KEY}={applicant} is not among the application rows")
        record: dict[str, Any] = {"application": by_table["application"][applicant][0]}
        record.update({table: by_table[table].get(applicant, []) for table in HISTORY_TABLES})
        records.append(record)
    return records


def json_rows(frame: pl.DataFrame) -> list[dict[str, Any]]:
    """Rows of a raw table as request rows (JSON values): labels as strings, missing (null or NaN) as None."""
    frame = frame.with_columns(pl.col(pl.Categorical).cast(pl.String), pl.col(pl.Float64).fill_nan(None))
    return frame.to_dicts()
