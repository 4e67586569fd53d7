"""previous_application.csv: earlier Home Credit applications, refused more often for riskier applicants."""

from __future__ import annotations

import numpy as np
import pandas as pd

from pret_a_depenser.constants import NO_DATE

from . import vocabulary as vocab
from .sampling import categorical, fan_out, sigmoid

PREVIOUS_SHARE_WITH_HISTORY = 0.951
PREVIOUS_PER_APPLICANT = 4.93  # among applicants with any previous application
CONTRACT_TYPES = ["Cash loans", "Consumer loans", "Revolving loans", "XNA"]
CONTRACT_SHARES = [0.4476, 0.4366, 0.1156, 0.0002]
STATUSES = ["Approved", "Canceled", "Refused", "Unused offer"]
CASH, CONSUMER, REVOLVING = 0, 1, 2
APPROVED, CANCELED, REFUSED, UNUSED = 0, 1, 2, 3


def _labels(codes: np.ndarray, categories: list[str]) -> pd.Categorical:
    return pd.Categorical.from_codes(codes, categories=categories)


def _pick(mask: np.ndarray, when_true: pd.Categorical, otherwise: str) -> pd.Categorical:
    categories = [*when_true.categories, otherwise] if otherwise not in when_true.categories else list(when_true.categories)
    codes = np.where(mask, when_true.codes, categories.index(otherwise))
    return _labels(codes, categories)


def generate_previous_applications(
    rng: np.random.Generator, sk_id_curr: np.ndarray, z: np.ndarray, first_prev_id: int
) -> pd.DataFrame:
    owner = fan_out(rng, sk_id_curr.size, PREVIOUS_SHARE_WITH_HISTORY, PREVIOUS_PER_APPLICANT, 1.2)
    n = owner.size
    risk = z[owner]
    kind = rng.choice(4, size=n, p=CONTRACT_SHARES)
    refused = rng.random(n) < sigmoid(-1.95 + 0.85 * risk)
    status = np.where(refused, REFUSED, rng.choice([APPROVED, CANCELED, UNUSED], size=n, p=[0.75, 0.23, 0.02]))
    status = np.where((kind == CONSUMER) & (status == CANCELED) & (rng.random(n) < 0.8), APPROVED, status)
    approved = status == APPROVED
    empty = ((status == CANCELED) & (rng.random(n) < 0.85)) | ((kind == REVOLVING) & (rng.random(n) < 0.45)) | (kind == 3)

    application = np.select(
        [kind == CASH, kind == CONSUMER],
        [np.exp(np.log(225000) + 0.9 * rng.standard_normal(n)), np.exp(np.log(70000) + 0.8 * rng.standard_normal(n))],
        rng.choice([45000, 90000, 135000, 180000, 225000, 270000, 450000], size=n).astype(float),
    )
    application = np.where(empty, 0.0, np.round(application / 4.5) * 4.5)
    credit_factor = np.select([kind == CASH, kind == CONSUMER], [rng.uniform(1.0, 1.2, n), rng.uniform(0.85, 1.05, n)], 1.0)
    credit = np.round(application * credit_factor, 1)
    consumer = kind == CONSUMER
    down_payment = np.where(consumer, np.round(np.maximum(application - credit, 0.0), 1), np.nan)
    term = np.select(
        [kind == CASH, consumer],
        [
            rng.choice([12, 18, 24, 30, 36, 48, 60], size=n, p=[0.3, 0.12, 0.25, 0.05, 0.15, 0.06, 0.07]),
            rng.choice([6, 8, 10, 12, 18, 24], size=n, p=[0.25, 0.1, 0.2, 0.25, 0.1, 0.1]),
        ],
        0,
    ).astype(float)
    term = np.where(empty & (kind != REVOLVING), np.nan, term)
    yearly_rate = rng.uniform(0.1, 0.45, n)
    annuity = np.where(kind == REVOLVING, 0.05 * credit, credit * (1 + yearly_rate * term / 12) / np.maximum(term, 1))
    annuity = np.where(np.isnan(term) | (credit == 0) & (kind != REVOLVING), np.nan, np.round(annuity, 3))

    days_decision = -(np.round(2921 * rng.beta(0.9, 2.2, n)) + 1).astype(np.int64)
    first_due = days_decision + rng.integers(10, 45, n)
    last_due_plan = first_due + np.round(30.4 * (np.nan_to_num(term, nan=0) - 1))
    ended_early = rng.random(n) < 0.35
    last_due = np.where(
        last_due_plan < 0,
        np.where(ended_early, np.round(first_due + (last_due_plan - first_due) * rng.uniform(0.3, 1.0, n)), last_due_plan),
        NO_DATE,
    )
    card = kind == REVOLVING
    first_drawing = np.where(card, days_decision + rng.integers(0, 30, n), NO_DATE)
    first_due = np.where(card & (rng.random(n) < 0.35), NO_DATE, first_due)
    last_due_plan = np.where(card, NO_DATE, last_due_plan)
    last_due = np.where(card, np.where(rng.random(n) < 0.5, NO_DATE, -rng.integers(1, 900, n)), last_due)
    termination = np.where(last_due == NO_DATE, NO_DATE, last_due + rng.integers(0, 10, n))

    def when_approved(values):
        return np.where(approved, values, np.nan)

    p: dict[str, object] = {"SK_ID_PREV": first_prev_id + np.arange(n, dtype=np.int64), "SK_ID_CURR": sk_id_curr[owner]}
    p["NAME_CONTRACT_TYPE"] = _labels(kind, CONTRACT_TYPES)
    p["AMT_ANNUITY"] = annuity
    p["AMT_APPLICATION"] = application
    p["AMT_CREDIT"] = np.where(np.isnan(credit), 0.0, credit)
    p["AMT_DOWN_PAYMENT"] = down_payment
    p["AMT_GOODS_PRICE"] = np.where((application == 0) | (kind == REVOLVING), np.nan, application)
    p["WEEKDAY_APPR_PROCESS_START"] = categorical(rng, vocab.WEEKDAY, n)
    p["HOUR_APPR_PROCESS_START"] = np.clip(np.round(rng.normal(12.5, 3.3, n)), 0, 23).astype(np.int64)
    p["FLAG_LAST_APPL_PER_CONTRACT"] = _labels((rng.random(n) < 0.0051).astype(np.int8), ["Y", "N"])
    p["NFLAG_LAST_APPL_IN_DAY"] = (rng.random(n) > 0.0035).astype(np.int64)
    p["RATE_DOWN_PAYMENT"] = np.where(application > 0, down_payment / np.maximum(application, 1), np.nan)
    rate_known = rng.random(n) < 0.0036
    p["RATE_INTEREST_PRIMARY"] = np.where(rate_known, rng.uniform(0.035, 1.0, n), np.nan)
    p["RATE_INTEREST_PRIVILEGED"] = np.where(rate_known, rng.uniform(0.37, 1.0, n), np.nan)
    p["NAME_CASH_LOAN_PURPOSE"] = _pick(kind == CASH, categorical(rng, vocab.PREV_NAME_CASH_LOAN_PURPOSE_CASH, n), "XAP")
    p["NAME_CONTRACT_STATUS"] = _labels(status, STATUSES)
    p["DAYS_DECISION"] = days_decision
    p["NAME_PAYMENT_TYPE"] = categorical(rng, vocab.PREV_NAME_PAYMENT_TYPE, n)
    reasons = categorical(rng, vocab.PREV_REJECT_REASON_REFUSED, n)
    reason_categories = ["XAP", "CLIENT", *reasons.categories]
    reason_codes = np.select([status == REFUSED, status == UNUSED], [reasons.codes + 2, 1], 0)
    p["CODE_REJECT_REASON"] = _labels(reason_codes, reason_categories)
    suite = categorical(rng, vocab.NAME_TYPE_SUITE, n)
    p["NAME_TYPE_SUITE"] = _labels(np.where(rng.random(n) < 0.491, -1, suite.codes), list(suite.categories))
    p["NAME_CLIENT_TYPE"] = categorical(rng, vocab.PREV_NAME_CLIENT_TYPE, n)
    p["NAME_GOODS_CATEGORY"] = _pick(consumer, categorical(rng, vocab.PREV_NAME_GOODS_CATEGORY_POS, n), "XNA")
    portfolio = np.select([empty & (kind != REVOLVING), consumer, kind == CASH, card], [2, 0, 1, 3], 2)
    portfolio = np.where(consumer & (rng.random(n) < 0.0007), 4, portfolio)
    p["NAME_PORTFOLIO"] = _labels(portfolio, ["POS", "Cash", "XNA", "Cards", "Cars"])
    product = np.select([consumer, rng.random(n) < 0.75], [2, 0], 1)
    product = np.where((kind == CASH) & (rng.random(n) < 0.3), 1, product)
    p["NAME_PRODUCT_TYPE"] = _labels(product, ["x-sell", "walk-in", "XNA"])
    p["CHANNEL_TYPE"] = categorical(rng, vocab.PREV_CHANNEL_TYPE, n)
    p["SELLERPLACE_AREA"] = np.where(consumer, np.round(np.exp(rng.normal(3.9, 1.6, n))), -1).astype(np.int64)
    p["NAME_SELLER_INDUSTRY"] = _pick(consumer, categorical(rng, vocab.PREV_NAME_SELLER_INDUSTRY_POS, n), "XNA")
    p["CNT_PAYMENT"] = term
    priced = ~np.isnan(term) & (kind != REVOLVING)
    p["NAME_YIELD_GROUP"] = _pick(priced, categorical(rng, vocab.PREV_NAME_YIELD_GROUP_PRICED, n), "XNA")
    cash_products = categorical(rng, vocab.PREV_PRODUCT_COMBINATION_CASH, n)
    pos_products = categorical(rng, vocab.PREV_PRODUCT_COMBINATION_POS, n)
    card_products = categorical(rng, vocab.PREV_PRODUCT_COMBINATION_CARD, n)
    product_categories = [*cash_products.categories, *pos_products.categories, *card_products.categories]
    offsets = (0, len(cash_products.categories), len(cash_products.categories) + len(pos_products.categories))
    combination = np.select(
        [consumer, card], [pos_products.codes + offsets[1], card_products.codes + offsets[2]], cash_products.codes
    )
    combination = np.where(rng.random(n) < 0.0002, -1, combination)
    p["PRODUCT_COMBINATION"] = _labels(combination, product_categories)
    p["DAYS_FIRST_DRAWING"] = when_approved(first_drawing)
    p["DAYS_FIRST_DUE"] = when_approved(first_due)
    p["DAYS_LAST_DUE_1ST_VERSION"] = when_approved(last_due_plan)
    p["DAYS_LAST_DUE"] = when_approved(last_due)
    p["DAYS_TERMINATION"] = when_approved(termination)
    p["NFLAG_INSURED_ON_APPROVAL"] = when_approved((rng.random(n) < 0.335).astype(float))
    return pd.DataFrame(p)
