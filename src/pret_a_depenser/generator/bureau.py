"""bureau.csv and bureau_balance.csv: credits at other institutions and their monthly statuses."""

from __future__ import annotations

import numpy as np
import pandas as pd

from . import vocabulary as vocab
from .sampling import categorical, fan_out, position_in_group, sigmoid

BUREAU_SHARE_WITH_HISTORY = 0.86
BUREAU_CREDITS_PER_APPLICANT = 5.6  # among applicants with any bureau credit
BALANCE_SHARE = 0.41  # share of bureau credits that come with a monthly history
DPD_BUCKET_SHARES = np.array([0.72, 0.065, 0.025, 0.015, 0.175])
STATUS_CATEGORIES = ["0", "1", "2", "3", "4", "5", "C", "X"]
CREDIT_ACTIVE_CATEGORIES = ["Closed", "Active", "Sold", "Bad debt"]


def generate_bureau(
    rng: np.random.Generator, sk_id_curr: np.ndarray, z: np.ndarray, first_bureau_id: int
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Bureau credits whose overdue amounts and bad monthly statuses rise with the latent risk."""
    owner = fan_out(rng, sk_id_curr.size, BUREAU_SHARE_WITH_HISTORY, BUREAU_CREDITS_PER_APPLICANT, 1.5)
    n = owner.size
    risk = z[owner]
    b: dict[str, object] = {"SK_ID_CURR": sk_id_curr[owner], "SK_ID_BUREAU": first_bureau_id + np.arange(n, dtype=np.int64)}
    days_credit = -np.round(2921 * rng.beta(1.0, 1.55, n)).astype(np.int64)
    credit_type = categorical(rng, vocab.CREDIT_TYPE, n)
    card = np.asarray(credit_type == "Credit card")
    duration = np.where(card, rng.gamma(1.2, 1500, n), rng.gamma(1.6, 420, n)) * np.exp(0.15 * risk)
    end_date = np.round(days_credit + duration)
    active = (end_date > 0) | (rng.random(n) < sigmoid(-2.6 + 0.5 * risk))
    state = active.astype(np.int8)  # codes into CREDIT_ACTIVE_CATEGORIES
    state[rng.random(n) < 0.004 * np.exp(0.6 * risk)] = 2
    state[rng.random(n) < 2e-5 * np.exp(1.2 * risk)] = 3
    b["CREDIT_ACTIVE"] = pd.Categorical.from_codes(state, categories=CREDIT_ACTIVE_CATEGORIES)
    b["CREDIT_CURRENCY"] = categorical(rng, vocab.CREDIT_CURRENCY, n)
    b["DAYS_CREDIT"] = days_credit
    overdue = active & (rng.random(n) < sigmoid(-5.0 + 1.2 * risk))
    b["CREDIT_DAY_OVERDUE"] = np.where(overdue, np.round(rng.gamma(0.8, 60, n)) + 1, 0).astype(np.int64)
    b["DAYS_CREDIT_ENDDATE"] = np.where(rng.random(n) < 0.06, np.nan, end_date)
    closed_at = np.round(days_credit + (np.minimum(end_date, 0) - days_credit) * rng.uniform(0.6, 1.0, n))
    b["DAYS_ENDDATE_FACT"] = np.where(active, np.nan, closed_at)
    amount = np.round(np.exp(np.log(125000) + 1.1 * rng.standard_normal(n)) / 50) * 50
    ever_late = rng.random(n) < sigmoid(-2.6 + 1.0 * risk)
    max_overdue = np.where(ever_late, np.round(amount * rng.beta(0.6, 12, n), 2), 0.0)
    b["AMT_CREDIT_MAX_OVERDUE"] = np.where(rng.random(n) < 0.655, np.nan, max_overdue)
    b["CNT_CREDIT_PROLONG"] = rng.binomial(1, 0.005, n) * rng.integers(1, 4, n)
    b["AMT_CREDIT_SUM"] = np.where(rng.random(n) < 1e-5, np.nan, amount)
    remaining = np.clip(np.where(card, rng.beta(1.2, 2.0, n) * (1 + 0.3 * risk), -end_date / np.maximum(duration, 1)), 0, 1)
    debt = np.where(active, np.round(amount * remaining, 2), 0.0)
    b["AMT_CREDIT_SUM_DEBT"] = np.where(rng.random(n) < 0.15, np.nan, debt)
    limit = np.where(card & active, np.round(amount - debt, 2), 0.0)
    b["AMT_CREDIT_SUM_LIMIT"] = np.where(rng.random(n) < 0.345, np.nan, limit)
    b["AMT_CREDIT_SUM_OVERDUE"] = np.where(overdue, np.round(debt * rng.beta(1, 8, n), 2), 0.0)
    b["CREDIT_TYPE"] = credit_type
    b["DAYS_CREDIT_UPDATE"] = np.where(active, -rng.integers(0, 60, n), closed_at + rng.integers(0, 30, n)).astype(np.int64)
    annuity = np.round(amount / np.maximum(duration / 30.4, 1), 2)
    b["AMT_ANNUITY"] = np.where(rng.random(n) < 0.715, np.nan, annuity)
    bureau = pd.DataFrame(b)

    balance = _bureau_balance(rng, bureau, risk, active)
    return bureau, balance


def _bureau_balance(rng, bureau: pd.DataFrame, risk: np.ndarray, active: np.ndarray) -> pd.DataFrame:
    with_months = rng.random(len(bureau)) < BALANCE_SHARE
    months_open = np.minimum(np.ceil(-bureau["DAYS_CREDIT"].to_numpy() / 30.4) + 1, 97).astype(np.int64)
    n_months = np.where(with_months, months_open, 0)
    credit = np.repeat(np.arange(len(bureau)), n_months)
    n = credit.size
    months_balance = -position_in_group(n_months)
    closed_fact = bureau["DAYS_ENDDATE_FACT"].to_numpy()
    closed_month = np.where(np.isnan(closed_fact), 1, np.floor(closed_fact / 30.4))[credit]
    row_risk = risk[credit]
    bad = rng.random(n) < sigmoid(-5.0 + 1.1 * row_risk)
    status = np.zeros(n, dtype=np.int8)  # codes into STATUS_CATEGORIES
    status[bad] = 1 + rng.choice(len(DPD_BUCKET_SHARES), size=int(bad.sum()), p=DPD_BUCKET_SHARES)
    all_unknown = (rng.random(len(bureau)) < 0.08)[credit]
    status[all_unknown | (rng.random(n) < 0.14)] = STATUS_CATEGORIES.index("X")
    status[(months_balance > closed_month) & ~active[credit]] = STATUS_CATEGORIES.index("C")
    return pd.DataFrame(
        {
            "SK_ID_BUREAU": bureau["SK_ID_BUREAU"].to_numpy()[credit],
            "MONTHS_BALANCE": months_balance,
            "STATUS": pd.Categorical.from_codes(status, categories=STATUS_CATEGORIES),
        }
    )
