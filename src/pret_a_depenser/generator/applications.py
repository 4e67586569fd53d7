"""application_{train,test}.csv: one row per applicant, plus the observable part of the risk."""

from __future__ import annotations

import numpy as np
import pandas as pd
from scipy.special import ndtr

from pret_a_depenser.constants import DAYS_PER_YEAR, NO_DATE

from ..raw_contract import APPLICATION_TEST_COLUMNS
from . import vocabulary as vocab
from .sampling import blank_categories, categorical, quantile_map, sigmoid, with_missing

# (probability, value) knots of the real EXT_SOURCE_* marginals (quartiles of application_train).
EXT_SOURCE_QUANTILES = {
    "EXT_SOURCE_1": ((0, 0.0146), (0.05, 0.17), (0.25, 0.334), (0.5, 0.506), (0.75, 0.675), (0.95, 0.83), (1, 0.963)),
    "EXT_SOURCE_2": ((0, 1e-4), (0.05, 0.12), (0.25, 0.3925), (0.5, 0.566), (0.75, 0.6636), (0.95, 0.75), (1, 0.855)),
    "EXT_SOURCE_3": ((0, 5e-4), (0.05, 0.15), (0.25, 0.3706), (0.5, 0.5353), (0.75, 0.6691), (0.95, 0.78), (1, 0.896)),
}
EXT_SOURCE_MISSING = {"EXT_SOURCE_1": 0.564, "EXT_SOURCE_2": 0.0021, "EXT_SOURCE_3": 0.198}
# Loading of each score on the latent risk and on age (EXT_SOURCE_1 is strongly age-related).
EXT_SOURCE_LOADINGS = {"EXT_SOURCE_1": (0.45, 0.5), "EXT_SOURCE_2": (0.5, 0.08), "EXT_SOURCE_3": (0.55, 0.2)}

# Building information: (stem, median, log-spread, missing rate of the *_AVG column).
BUILDING_COLUMNS = (
    ("APARTMENTS", 0.0876, 0.7, 0.507),
    ("BASEMENTAREA", 0.0763, 0.7, 0.585),
    ("YEARS_BEGINEXPLUATATION", 0.9816, 0.0, 0.488),
    ("YEARS_BUILD", 0.7552, 0.0, 0.665),
    ("COMMONAREA", 0.0211, 0.9, 0.699),
    ("ELEVATORS", 0.0, 0.0, 0.533),
    ("ENTRANCES", 0.1379, 0.5, 0.503),
    ("FLOORSMAX", 0.1667, 0.0, 0.498),
    ("FLOORSMIN", 0.2083, 0.0, 0.678),
    ("LANDAREA", 0.0481, 0.9, 0.594),
    ("LIVINGAPARTMENTS", 0.0756, 0.7, 0.684),
    ("LIVINGAREA", 0.0745, 0.7, 0.502),
    ("NONLIVINGAPARTMENTS", 0.0, 0.0, 0.694),
    ("NONLIVINGAREA", 0.0036, 1.2, 0.552),
)
BUILDING_BLOCK_PRESENT = 0.52
DOCUMENT_RATES = {
    2: 4e-5,
    3: 0.710,
    4: 8e-5,
    5: 0.0151,
    6: 0.088,
    7: 2e-4,
    8: 0.0814,
    9: 0.0039,
    10: 2e-5,
    11: 0.0039,
    12: 1e-5,
    13: 0.0035,
    14: 0.0029,
    15: 0.0012,
    16: 0.0099,
    17: 3e-4,
    18: 0.0081,
    19: 6e-4,
    20: 5e-4,
    21: 3e-4,
}
CREDIT_BUREAU_REQUEST_MEANS = {"HOUR": 0.0064, "DAY": 0.007, "WEEK": 0.034, "MON": 0.267, "QRT": 0.265, "YEAR": 1.9}

# Log-odds of default carried by observable application fields (the rest comes from the latent score).
CATEGORY_LOG_ODDS = {
    "CODE_GENDER": {"M": 0.45},
    "NAME_EDUCATION_TYPE": {
        "Higher education": -0.35,
        "Academic degree": -0.9,
        "Lower secondary": 0.3,
        "Incomplete higher": 0.05,
    },
    "NAME_INCOME_TYPE": {"Unemployed": 1.2, "Maternity leave": 1.5, "State servant": -0.15, "Pensioner": -0.1},
    "OCCUPATION_TYPE": {
        "Low-skill Laborers": 0.65,
        "Drivers": 0.25,
        "Laborers": 0.15,
        "Waiters/barmen staff": 0.25,
        "Security staff": 0.2,
        "Cooking staff": 0.15,
        "Accountants": -0.4,
        "High skill tech staff": -0.25,
        "Managers": -0.2,
        "Core staff": -0.15,
        "HR staff": -0.2,
        "IT staff": -0.2,
    },
    "NAME_CONTRACT_TYPE": {"Revolving loans": -0.45},
    "NAME_HOUSING_TYPE": {"Rented apartment": 0.35, "With parents": 0.25, "Municipal apartment": 0.1, "Office apartment": -0.2},
    "NAME_FAMILY_STATUS": {"Civil marriage": 0.15, "Single / not married": 0.15, "Widow": -0.1},
    "FLAG_OWN_CAR": {"Y": -0.15},
}


def _ext_sources(rng, z, age_std) -> dict[str, np.ndarray]:
    out = {}
    for name, (on_risk, on_age) in EXT_SOURCE_LOADINGS.items():
        noise = np.sqrt(1.0 - on_risk**2 - on_age**2)
        latent = -on_risk * z + on_age * age_std + noise * rng.standard_normal(z.size)
        values = quantile_map(ndtr(latent), EXT_SOURCE_QUANTILES[name])
        out[name] = with_missing(rng, values, EXT_SOURCE_MISSING[name])
    return out


def _building(rng, n) -> dict[str, object]:
    """Normalised building statistics: AVG/MODE/MEDI variants are missing together, as in the real file."""
    block = rng.random(n) < BUILDING_BLOCK_PRESENT
    size = rng.standard_normal(n)
    columns: dict[str, object] = {}
    for stem, median, spread, missing in BUILDING_COLUMNS:
        present = block & (rng.random(n) < (1 - missing) / BUILDING_BLOCK_PRESENT)
        if stem == "YEARS_BEGINEXPLUATATION":
            avg = 1 - rng.gamma(1.5, 0.012, n)
        elif stem == "YEARS_BUILD":
            avg = rng.beta(6.0, 2.0, n)
        elif stem == "ELEVATORS":
            avg = np.where(rng.random(n) < 0.55, 0.0, 0.04 * rng.integers(1, 9, n))
        elif stem == "NONLIVINGAPARTMENTS":
            avg = np.where(rng.random(n) < 0.6, 0.0, rng.gamma(1.0, 0.02, n))
        elif stem in ("FLOORSMAX", "FLOORSMIN"):
            avg = np.clip(np.round(np.exp(np.log(median) + 0.45 * size) * 24) / 24, 0, 1)
        else:
            avg = median * np.exp(spread * (0.7 * size + 0.7 * rng.standard_normal(n)))
        avg = np.clip(avg, 0.0, 1.0).round(4)
        medi = np.clip(avg * rng.normal(1.0, 0.02, n), 0.0, 1.0).round(4)
        mode = np.clip(avg * rng.normal(1.0, 0.08, n), 0.0, 1.0).round(4)
        for suffix, values in (("AVG", avg), ("MODE", mode), ("MEDI", medi)):
            columns[f"{stem}_{suffix}"] = np.where(present, values, np.nan)
    columns["FONDKAPREMONT_MODE"] = blank_categories(
        categorical(rng, vocab.FONDKAPREMONT_MODE, n), ~block | (rng.random(n) < 0.39)
    )
    columns["HOUSETYPE_MODE"] = blank_categories(categorical(rng, vocab.HOUSETYPE_MODE, n), ~block | (rng.random(n) < 0.04))
    total_area = np.clip(0.0688 * np.exp(0.7 * size + 0.4 * rng.standard_normal(n)), 0, 1).round(4)
    columns["TOTALAREA_MODE"] = np.where(block, total_area, np.nan)
    columns["WALLSMATERIAL_MODE"] = blank_categories(
        categorical(rng, vocab.WALLSMATERIAL_MODE, n), ~block | (rng.random(n) < 0.05)
    )
    columns["EMERGENCYSTATE_MODE"] = blank_categories(categorical(rng, vocab.EMERGENCYSTATE_MODE, n), ~block)
    return columns


def _category_log_odds(frame: pd.DataFrame) -> np.ndarray:
    total = np.zeros(len(frame))
    for column, effects in CATEGORY_LOG_ODDS.items():
        total += frame[column].astype(object).map(effects).fillna(0.0).to_numpy(dtype=float)
    return total


def generate_applications(rng: np.random.Generator, sk_id_curr: np.ndarray, z: np.ndarray) -> tuple[pd.DataFrame, np.ndarray]:
    """Application rows (without TARGET) and the log-odds of default their observable fields carry."""
    n = sk_id_curr.size
    f: dict[str, object] = {"SK_ID_CURR": sk_id_curr}
    f["NAME_CONTRACT_TYPE"] = contract = categorical(rng, vocab.NAME_CONTRACT_TYPE, n)
    f["CODE_GENDER"] = gender = categorical(rng, vocab.CODE_GENDER, n)
    male = np.asarray(gender == "M")
    f["FLAG_OWN_CAR"] = pd.Categorical(np.where(rng.random(n) < np.where(male, 0.55, 0.23), "Y", "N"), categories=["N", "Y"])
    f["FLAG_OWN_REALTY"] = pd.Categorical(np.where(rng.random(n) < 0.694, "Y", "N"), categories=["Y", "N"])
    children = rng.choice(6, size=n, p=[0.7004, 0.1988, 0.0870, 0.0121, 0.0014, 0.0003])
    f["CNT_CHILDREN"] = children

    age = 20.5 + 48.5 * rng.beta(1.7, 1.8, n)
    pensioner = rng.random(n) < 0.97 * sigmoid((age - 55.8) / 1.5)
    unemployed = ~pensioner & (rng.random(n) < 7e-5)
    no_job = pensioner | unemployed
    education = categorical(rng, vocab.NAME_EDUCATION_TYPE, n)
    higher = np.asarray(education == "Higher education") | np.asarray(education == "Academic degree")
    log_income = np.log(147150) + 0.25 * male + 0.3 * higher - 0.3 * pensioner + 0.45 * rng.standard_normal(n)
    income = np.maximum(np.round(np.exp(log_income) / 2250) * 2250, 25650.0)
    f["AMT_INCOME_TOTAL"] = income

    revolving = np.asarray(contract == "Revolving loans")
    log_goods = np.log(450000) + 0.4 * (log_income - np.log(160000)) + 0.55 * rng.standard_normal(n)
    goods = np.clip(np.round(np.exp(log_goods) / 4500) * 4500, 40500, 4050000)
    insurance = np.where(rng.random(n) < 0.3, 1.0, rng.uniform(1.05, 1.30, n))
    term = rng.choice([6, 10, 12, 18, 24, 30, 36, 48, 60], size=n, p=[0.04, 0.08, 0.16, 0.14, 0.2, 0.12, 0.12, 0.08, 0.06])
    monthly_rate = rng.uniform(0.008, 0.025, n)
    cash_credit = np.round(goods * insurance, 1)
    cash_annuity = cash_credit * monthly_rate / (1 - (1 + monthly_rate) ** -term)
    card_limit = np.clip(np.round(np.exp(np.log(270000) + 0.5 * rng.standard_normal(n)) / 22500) * 22500, 45000, 1350000)
    credit = np.where(revolving, card_limit, cash_credit)
    annuity = np.round(np.where(revolving, 0.05 * card_limit, cash_annuity) * 2) / 2
    goods = np.where(revolving, np.where(rng.random(n) < 0.01, np.nan, card_limit), goods)
    f["AMT_CREDIT"] = credit
    f["AMT_ANNUITY"] = with_missing(rng, annuity, 4e-5)
    f["AMT_GOODS_PRICE"] = goods
    f["NAME_TYPE_SUITE"] = blank_categories(categorical(rng, vocab.NAME_TYPE_SUITE, n), rng.random(n) < 0.0042)
    income_type = categorical(rng, vocab.NAME_INCOME_TYPE_ACTIVE, n).astype(object)
    income_type = np.where(pensioner, "Pensioner", np.where(unemployed, "Unemployed", income_type))
    income_categories = [*vocab.NAME_INCOME_TYPE_ACTIVE, "Pensioner", "Unemployed"]
    f["NAME_INCOME_TYPE"] = pd.Categorical(income_type, categories=income_categories)
    f["NAME_EDUCATION_TYPE"] = education
    family = categorical(rng, vocab.NAME_FAMILY_STATUS, n)
    f["NAME_FAMILY_STATUS"] = family
    f["NAME_HOUSING_TYPE"] = categorical(rng, vocab.NAME_HOUSING_TYPE, n)
    population = np.round(np.exp(rng.normal(np.log(0.0188), 0.75, n)).clip(0.00029, 0.072508), 6)
    f["REGION_POPULATION_RELATIVE"] = population
    f["DAYS_BIRTH"] = -np.round(age * DAYS_PER_YEAR).astype(np.int64)
    years_employed = np.minimum(rng.gamma(1.2, 5.4, n), age - 18.5)
    f["DAYS_EMPLOYED"] = np.where(no_job, NO_DATE, -np.round(years_employed * DAYS_PER_YEAR)).astype(np.int64)
    f["DAYS_REGISTRATION"] = -np.minimum(rng.gamma(1.8, 2770, n), age * DAYS_PER_YEAR - 6000).clip(0).round()
    f["DAYS_ID_PUBLISH"] = -np.round(np.clip(rng.normal(3000 - 250 * z, 1450), 0, 7197)).astype(np.int64)
    car = np.asarray(f["FLAG_OWN_CAR"] == "Y")
    f["OWN_CAR_AGE"] = np.where(car, np.minimum(np.round(rng.gamma(1.6, 7.5, n)), 65), np.nan)
    f["FLAG_MOBIL"] = np.ones(n, dtype=np.int64)
    f["FLAG_EMP_PHONE"] = (~no_job).astype(np.int64)
    f["FLAG_WORK_PHONE"] = ((rng.random(n) < 0.24) & ~no_job).astype(np.int64)
    f["FLAG_CONT_MOBILE"] = (rng.random(n) < 0.998).astype(np.int64)
    f["FLAG_PHONE"] = (rng.random(n) < 0.281).astype(np.int64)
    f["FLAG_EMAIL"] = (rng.random(n) < 0.0567).astype(np.int64)
    occupation = categorical(rng, vocab.OCCUPATION_TYPE, n)
    f["OCCUPATION_TYPE"] = blank_categories(occupation, no_job | (rng.random(n) < 0.163))
    married = np.asarray(family == "Married") | np.asarray(family == "Civil marriage")
    f["CNT_FAM_MEMBERS"] = with_missing(rng, children + 1.0 + married, 7e-6)
    rating = np.where(rng.random(n) < sigmoid(-2.9 + 1.3 * np.log(population / 0.0188)), 1, 2)
    rating = np.where((rating == 2) & (rng.random(n) < sigmoid(-1.9 - 1.3 * np.log(population / 0.0188))), 3, rating)
    f["REGION_RATING_CLIENT"] = rating
    f["REGION_RATING_CLIENT_W_CITY"] = np.clip(rating + (rng.random(n) < 0.04) * rng.choice([-1, 1], n), 1, 3)
    f["WEEKDAY_APPR_PROCESS_START"] = categorical(rng, vocab.WEEKDAY, n)
    f["HOUR_APPR_PROCESS_START"] = np.clip(np.round(rng.normal(12.06, 3.27, n)), 0, 23).astype(np.int64)
    for column, rate in (
        ("REG_REGION_NOT_LIVE_REGION", 0.015),
        ("REG_REGION_NOT_WORK_REGION", 0.0508),
        ("LIVE_REGION_NOT_WORK_REGION", 0.0407),
        ("REG_CITY_NOT_LIVE_CITY", 0.0782),
        ("REG_CITY_NOT_WORK_CITY", 0.2305),
        ("LIVE_CITY_NOT_WORK_CITY", 0.1796),
    ):
        boost = 1.25 if "WORK" in column else 1.0
        probability = rate * boost * np.exp(0.15 * z) / 1.01
        f[column] = ((rng.random(n) < probability) & ~(no_job & ("WORK" in column))).astype(np.int64)
    organization = categorical(rng, vocab.ORGANIZATION_TYPE_EMPLOYED, n).astype(object)
    f["ORGANIZATION_TYPE"] = pd.Categorical(
        np.where(no_job, "XNA", organization), categories=[*vocab.ORGANIZATION_TYPE_EMPLOYED, "XNA"]
    )
    age_std = (age - 43.9) / 11.9
    f.update(_ext_sources(rng, z, age_std))
    f.update(_building(rng, n))

    observed = rng.negative_binomial(0.6, 0.6 / (0.6 + 1.42), n).astype(float)
    defaulted = rng.binomial(observed.astype(np.int64), sigmoid(-2.4 + 0.45 * z))
    social_missing = rng.random(n) < 0.0033
    f["OBS_30_CNT_SOCIAL_CIRCLE"] = np.where(social_missing, np.nan, observed)
    f["DEF_30_CNT_SOCIAL_CIRCLE"] = np.where(social_missing, np.nan, defaulted)
    f["OBS_60_CNT_SOCIAL_CIRCLE"] = np.where(social_missing, np.nan, observed - (rng.random(n) < 0.01) * (observed > 0))
    f["DEF_60_CNT_SOCIAL_CIRCLE"] = np.where(social_missing, np.nan, defaulted - (rng.random(n) < 0.3) * (defaulted > 0))
    phone_change = -np.round(np.minimum(rng.gamma(1.2, 800 * np.exp(-0.15 * z)), 4292))
    f["DAYS_LAST_PHONE_CHANGE"] = with_missing(rng, np.where(rng.random(n) < 0.12, 0.0, phone_change), 3e-6)
    for number, rate in DOCUMENT_RATES.items():
        f[f"FLAG_DOCUMENT_{number}"] = (rng.random(n) < rate).astype(np.int64)
    bureau_missing = rng.random(n) < 0.135
    for period, mean in CREDIT_BUREAU_REQUEST_MEANS.items():
        scale = np.exp(0.15 * z) if period == "YEAR" else np.ones(n)
        requests = rng.negative_binomial(1.2, 1.2 / (1.2 + mean * scale)).astype(float)
        f[f"AMT_REQ_CREDIT_BUREAU_{period}"] = np.where(bureau_missing, np.nan, requests)

    frame = pd.DataFrame(f)[list(APPLICATION_TEST_COLUMNS)]
    payment_rate = np.nan_to_num(annuity / credit, nan=0.05)
    credit_goods = np.nan_to_num(credit / goods, nan=1.0)
    log_odds = (
        _category_log_odds(frame)
        + 0.028 * (43.0 - age)
        + 0.35 * (rating == 3)
        - 0.35 * (rating == 1)
        + 1.5 * np.maximum(credit_goods - 1.05, 0.0)
        - 4.0 * np.clip(payment_rate - 0.05, -0.03, 0.05)
        + 0.8 * np.clip(annuity / income - 0.18, -0.15, 0.5)
        + np.where(no_job, 0.0, 0.35 * np.exp(-years_employed / 2.0))
        + 0.12 * f["FLAG_WORK_PHONE"]
        + 0.15 * f["REG_CITY_NOT_WORK_CITY"]
        + 0.1 * f["FLAG_DOCUMENT_3"]
    )
    return frame, log_odds
