"""The part of an applicant's default risk that their recorded history carries.

The latent score ``z`` drives behaviour in every table; a lender's record of that behaviour (external
scores, late and short instalments, bureau months overdue, refused applications, days past due, card
utilisation) is what predicts default in practice. The true PD is built on this record plus a smaller
unrecorded part of ``z``, so that a model reading the tables can approach the oracle.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

# Log-odds weight of each recorded signal (signals are centred log-odds of smoothed shares).
RECORD_WEIGHTS = {
    "ext_sources": 1.0,
    "late_instalments": 0.2,
    "short_instalments": 0.12,
    "bureau_overdue_months": 0.15,
    "refused_applications": 0.18,
    "pos_days_past_due": 0.12,
    "card_utilisation": 0.2,
}


def _smoothed_logit(events: np.ndarray, totals: np.ndarray, prior: float) -> np.ndarray:
    """log-odds of (events + prior) / (totals + 1), minus the prior's log-odds: 0 without history."""
    share = (events + prior) / (totals + 1.0)
    return np.log(share / (1 - share)) - np.log(prior / (1 - prior))


def _share_signal(owner: np.ndarray, events: np.ndarray, n: int, prior: float) -> np.ndarray:
    totals = np.bincount(owner, minlength=n).astype(float)
    counts = np.bincount(owner, weights=events.astype(float), minlength=n)
    return _smoothed_logit(counts, totals, prior)


def recorded_risk(
    applications: pd.DataFrame,
    bureau: pd.DataFrame,
    bureau_balance: pd.DataFrame,
    previous: pd.DataFrame,
    pos_cash: pd.DataFrame,
    installments: pd.DataFrame,
    cards: pd.DataFrame,
    first_curr: int,
    first_bureau: int,
) -> np.ndarray:
    """Log-odds of default carried by each applicant's record (0 for an empty record)."""
    n = len(applications)
    ext = applications[["EXT_SOURCE_1", "EXT_SOURCE_2", "EXT_SOURCE_3"]].to_numpy()
    ext_signal = (
        np.nansum(0.5 - ext, axis=1) / np.maximum((~np.isnan(ext)).sum(axis=1), 1) * np.sqrt((~np.isnan(ext)).sum(axis=1))
    )
    instalment_owner = installments["SK_ID_CURR"].to_numpy() - first_curr
    late = (installments["DAYS_ENTRY_PAYMENT"] > installments["DAYS_INSTALMENT"]).to_numpy()
    short = (installments["AMT_PAYMENT"] < installments["AMT_INSTALMENT"] - 0.01).to_numpy()
    credit_owner = bureau["SK_ID_CURR"].to_numpy() - first_curr
    month_owner = credit_owner[bureau_balance["SK_ID_BUREAU"].to_numpy() - first_bureau]
    overdue = np.isin(bureau_balance["STATUS"].astype(str).to_numpy(), ["1", "2", "3", "4", "5"])
    refused = (previous["NAME_CONTRACT_STATUS"] == "Refused").to_numpy()
    limits = cards["AMT_CREDIT_LIMIT_ACTUAL"].to_numpy().astype(float)
    utilisation = np.clip(cards["AMT_BALANCE"].to_numpy() / np.where(limits > 0, limits, np.nan), 0, 1.2)
    card_owner = cards["SK_ID_CURR"].to_numpy() - first_curr
    has_limit = ~np.isnan(utilisation)
    card_use = np.bincount(card_owner[has_limit], weights=utilisation[has_limit], minlength=n)
    card_months = np.bincount(card_owner[has_limit], minlength=n)
    signals = {
        "ext_sources": ext_signal,
        "late_instalments": _share_signal(instalment_owner, late, n, prior=0.07),
        "short_instalments": _share_signal(instalment_owner, short, n, prior=0.05),
        "bureau_overdue_months": _share_signal(month_owner, overdue, n, prior=0.012),
        "refused_applications": _share_signal(previous["SK_ID_CURR"].to_numpy() - first_curr, refused, n, prior=0.17),
        "pos_days_past_due": _share_signal(
            pos_cash["SK_ID_CURR"].to_numpy() - first_curr, pos_cash["SK_DPD"].to_numpy() > 0, n, prior=0.03
        ),
        "card_utilisation": np.where(card_months > 0, card_use / np.maximum(card_months, 1) - 0.35, 0.0),
    }
    return sum(RECORD_WEIGHTS[name] * signal for name, signal in signals.items())
