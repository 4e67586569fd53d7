"""Monthly histories of approved previous loans: POS_CASH_balance, installments_payments, credit_card_balance.

Late and short instalment payments, days past due and card utilisation all rise with the applicant's
latent risk, so these tables carry signal beyond the application row.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from . import vocabulary as vocab
from .sampling import cumsum_in_group, position_in_group, sigmoid

POS_STATUSES = ["Active", "Completed", "Signed", *vocab.POS_STATUS_RARE]
CARD_STATUSES = ["Active", "Completed", *vocab.CARD_STATUS_RARE]
CARD_LIMITS = np.array([0, 45000, 67500, 90000, 135000, 180000, 225000, 270000, 450000, 675000], dtype=float)
CARD_LIMIT_SHARES = np.array([0.05, 0.15, 0.08, 0.12, 0.18, 0.12, 0.12, 0.1, 0.06, 0.02])
SPLIT_PAYMENT_SHARE = 0.05


def _rare(rng, n: int, rate: float, vocabulary: dict[str, float], offset: int) -> np.ndarray:
    """Codes of rare statuses (offset into the status list) for a ``rate`` share of rows, else -1."""
    weights = np.fromiter(vocabulary.values(), dtype=float)
    codes = offset + rng.choice(len(weights), size=n, p=weights / weights.sum())
    return np.where(rng.random(n) < rate, codes, -1)


def generate_instalment_histories(
    rng: np.random.Generator, previous: pd.DataFrame, risk: np.ndarray
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """POS_CASH_balance and installments_payments for approved cash and consumer loans."""
    term = previous["CNT_PAYMENT"].to_numpy()
    first_due = previous["DAYS_FIRST_DUE"].to_numpy()
    loan = (
        (previous["NAME_CONTRACT_STATUS"].to_numpy() == "Approved")
        & (term > 0)
        & (first_due < 0)
        & (previous["NAME_CONTRACT_TYPE"].to_numpy() != "Revolving loans")
    )
    idx = np.flatnonzero(loan)
    term, first_due, loan_risk = term[idx].astype(np.int64), first_due[idx], risk[idx]
    due = np.clip(np.floor(-first_due / 30.4).astype(np.int64) + 1, 1, term)
    lateness = loan_risk + 0.5 * rng.standard_normal(idx.size)

    loan_of_row = np.repeat(np.arange(idx.size), due)
    number = position_in_group(due)
    n = loan_of_row.size
    days_instalment = np.minimum(first_due[loan_of_row] + np.round(30.4 * number), -1)
    late = rng.random(n) < sigmoid(-2.7 + 1.0 * lateness[loan_of_row])
    delay = np.where(
        late,
        1 + rng.geometric(1 / 8, n) + (rng.random(n) < 0.05) * np.round(rng.gamma(1.0, 60, n)),
        -np.round(rng.gamma(1.0, 9, n)),
    )
    entry = np.minimum(days_instalment + delay, -1.0)
    instalment = previous["AMT_ANNUITY"].to_numpy()[idx][loan_of_row]
    short = rng.random(n) < sigmoid(-3.3 + 0.9 * lateness[loan_of_row])
    payment = np.round(np.where(short, instalment * rng.uniform(0.05, 0.95, n), instalment), 3)
    unpaid = rng.random(n) < 2e-4 * np.exp(loan_risk[loan_of_row])
    version = rng.choice([1, 2, 0], size=idx.size, p=[0.9, 0.07, 0.03]).astype(float)[loan_of_row]

    split = rng.random(n) < SPLIT_PAYMENT_SHARE
    share = rng.uniform(0.2, 0.8, int(split.sum()))
    rows = np.concatenate([np.arange(n), np.flatnonzero(split)])
    first_part = payment.copy()
    first_part[split] = np.round(payment[split] * share, 3)
    amounts = np.concatenate([first_part, np.round(payment[split] * (1 - share), 3)])
    entries = np.concatenate([entry, np.minimum(entry[split] + rng.integers(0, 15, split.sum()), -1)])
    order = np.lexsort((entries, rows))
    rows, amounts, entries = rows[order], amounts[order], entries[order]
    installments = pd.DataFrame(
        {
            "SK_ID_PREV": previous["SK_ID_PREV"].to_numpy()[idx][loan_of_row][rows],
            "SK_ID_CURR": previous["SK_ID_CURR"].to_numpy()[idx][loan_of_row][rows],
            "NUM_INSTALMENT_VERSION": version[rows],
            "NUM_INSTALMENT_NUMBER": number[rows] + 1,
            "DAYS_INSTALMENT": days_instalment[rows].astype(float),
            "DAYS_ENTRY_PAYMENT": np.where(unpaid[rows], np.nan, entries),
            "AMT_INSTALMENT": instalment[rows],
            "AMT_PAYMENT": np.where(unpaid[rows], np.nan, amounts),
        }
    )

    # POS snapshots start some months into the loan, as in the real file where many loans' early months are absent.
    completed = first_due + 30.4 * term < 0
    skipped = np.floor(due * rng.uniform(0.0, 0.6, idx.size)).astype(np.int64)
    months = due + completed - skipped
    loan_of_month = np.repeat(np.arange(idx.size), months)
    step = position_in_group(months) + skipped[loan_of_month]
    n = loan_of_month.size
    future = np.maximum(term[loan_of_month] - step, 0).astype(float)
    status = np.where(future == 0, 1, 0)
    status = np.where((step == 0) & (rng.random(n) < 0.1), 2, status)
    rare = _rare(rng, n, 0.002, vocab.POS_STATUS_RARE, 3)
    status = np.where(rare >= 0, rare, status)
    overdue = rng.random(n) < sigmoid(-3.8 + 1.1 * lateness[loan_of_month])
    dpd = np.where(overdue, 1 + np.round(rng.gamma(0.7, 25, n)), 0).astype(np.int64)
    cnt_missing = rng.random(n) < 0.0026
    pos = pd.DataFrame(
        {
            "SK_ID_PREV": previous["SK_ID_PREV"].to_numpy()[idx][loan_of_month],
            "SK_ID_CURR": previous["SK_ID_CURR"].to_numpy()[idx][loan_of_month],
            "MONTHS_BALANCE": np.minimum(np.floor(first_due[loan_of_month] / 30.4) + step, -1).astype(np.int64),
            "CNT_INSTALMENT": np.where(cnt_missing, np.nan, term[loan_of_month].astype(float)),
            "CNT_INSTALMENT_FUTURE": np.where(cnt_missing, np.nan, future),
            "NAME_CONTRACT_STATUS": pd.Categorical.from_codes(status, categories=POS_STATUSES),
            "SK_DPD": dpd,
            "SK_DPD_DEF": np.where(rng.random(n) < 0.35, dpd, 0),
        }
    )
    return pos, installments


def generate_card_histories(rng: np.random.Generator, previous: pd.DataFrame, risk: np.ndarray) -> pd.DataFrame:
    """credit_card_balance for approved revolving loans: utilisation and missed payments rise with risk."""
    card = (previous["NAME_CONTRACT_STATUS"].to_numpy() == "Approved") & (
        previous["NAME_CONTRACT_TYPE"].to_numpy() == "Revolving loans"
    )
    idx = np.flatnonzero(card)
    months = np.clip(np.floor(-previous["DAYS_DECISION"].to_numpy()[idx] / 30.4).astype(np.int64), 1, 96)
    card_of_row = np.repeat(np.arange(idx.size), months)
    step = position_in_group(months)
    n = card_of_row.size
    card_risk = risk[idx] + 0.6 * rng.standard_normal(idx.size)
    limit = rng.choice(CARD_LIMITS, size=idx.size, p=CARD_LIMIT_SHARES)[card_of_row]
    usage = np.clip(sigmoid(-0.9 + 0.9 * card_risk[card_of_row] + 0.35 * rng.standard_normal(n)) * 1.1 - 0.05, 0, 1.15)
    idle = rng.random(n) < 0.3 * sigmoid(-card_risk[card_of_row])
    balance = np.round(np.where(idle, 0.0, np.maximum(limit, 45000 * (limit == 0)) * usage), 3)
    drawings = np.round(np.where(rng.random(n) < 0.4, balance * rng.uniform(0, 0.35, n), 0.0), 2)
    atm_share = rng.beta(0.6, 0.6, n)
    atm = np.round(drawings * atm_share, 2)
    pos_drawings = np.round(drawings - atm, 2)
    min_regularity = np.round(0.05 * balance, 3)
    missed = (balance > 0) & (rng.random(n) < sigmoid(-3.0 + 1.0 * card_risk[card_of_row]))
    paid = np.where(missed | (balance == 0), 0.0, np.round(min_regularity * rng.uniform(1.0, 4.0, n), 3))
    dpd = np.where(missed, 1 + np.round(rng.gamma(0.6, 20, n)), 0).astype(np.int64)
    drawing_detail_missing = rng.random(n) < 0.195
    early_month = (step == 0) | (rng.random(n) < 0.05)
    closed = (rng.random(idx.size) < 0.1)[card_of_row] & (step >= months[card_of_row] - 3)
    status = np.where(closed, 1, 0)
    rare = _rare(rng, n, 0.004, vocab.CARD_STATUS_RARE, 2)
    status = np.where(rare >= 0, rare, status)

    def detail(values):
        return np.where(drawing_detail_missing, np.nan, values)

    return pd.DataFrame(
        {
            "SK_ID_PREV": previous["SK_ID_PREV"].to_numpy()[idx][card_of_row],
            "SK_ID_CURR": previous["SK_ID_CURR"].to_numpy()[idx][card_of_row],
            "MONTHS_BALANCE": (step - months[card_of_row]).astype(np.int64),
            "AMT_BALANCE": balance,
            "AMT_CREDIT_LIMIT_ACTUAL": limit.astype(np.int64),
            "AMT_DRAWINGS_ATM_CURRENT": detail(atm),
            "AMT_DRAWINGS_CURRENT": drawings,
            "AMT_DRAWINGS_OTHER_CURRENT": detail(np.zeros(n)),
            "AMT_DRAWINGS_POS_CURRENT": detail(pos_drawings),
            "AMT_INST_MIN_REGULARITY": np.where(early_month, np.nan, min_regularity),
            "AMT_PAYMENT_CURRENT": np.where(paid > 0, paid, np.nan),
            "AMT_PAYMENT_TOTAL_CURRENT": paid,
            "AMT_RECEIVABLE_PRINCIPAL": np.round(balance * 0.96, 3),
            "AMT_RECIVABLE": balance,
            "AMT_TOTAL_RECEIVABLE": balance,
            "CNT_DRAWINGS_ATM_CURRENT": detail(np.ceil(atm / 9000)),
            "CNT_DRAWINGS_CURRENT": (np.ceil(atm / 9000) + np.ceil(pos_drawings / 4000)).astype(np.int64),
            "CNT_DRAWINGS_OTHER_CURRENT": detail(np.zeros(n)),
            "CNT_DRAWINGS_POS_CURRENT": detail(np.ceil(pos_drawings / 4000)),
            "CNT_INSTALMENT_MATURE_CUM": np.where(early_month, np.nan, cumsum_in_group((paid > 0).astype(float), months)),
            "NAME_CONTRACT_STATUS": pd.Categorical.from_codes(status, categories=CARD_STATUSES),
            "SK_DPD": dpd,
            "SK_DPD_DEF": np.where(rng.random(n) < 0.3, np.minimum(dpd, 30), 0),
        }
    )
