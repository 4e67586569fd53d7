"""Seeded generator of Home-Credit-shaped data: the eight Kaggle tables plus each applicant's true PD.

Every applicant carries a latent risk score ``z`` that shows, noisily, through the EXT_SOURCE scores,
the social circle, bureau overdues, refused previous applications, late or short instalments, days past
due and card use. Their true probability of default combines the observable application fields, what
their recorded history shows of ``z`` (recorded_risk.py) and a smaller unrecorded part of ``z``, so that
aggregating the secondary tables genuinely adds information over the application row.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from tqdm.auto import tqdm

from pret_a_depenser.raw_contract import KAGGLE_TABLES

from .applications import generate_applications
from .bureau import generate_bureau
from .histories import generate_card_histories, generate_instalment_histories
from .previous import generate_previous_applications
from .recorded_risk import recorded_risk
from .sampling import sigmoid

FIRST_SK_ID_CURR = 100002
FIRST_SK_ID_BUREAU = 5000000
FIRST_SK_ID_PREV = 1000001
KAGGLE_TEST_SHARE = 48744 / (307511 + 48744)
# Log-odds of default = intercept + application effects (applications.py) + recorded history
# (recorded_risk.py) + UNRECORDED_LOG_ODDS * z, the part of the latent risk no table records.
# Calibrated so that ~8.1 % of applicants default and the oracle AUC is ~0.81, as on the real data.
UNRECORDED_LOG_ODDS = 0.35
INTERCEPT = -2.87

TABLES = KAGGLE_TABLES  # the generator writes every file of the raw data contract


def _generate_chunk(
    rng: np.random.Generator, first_curr: int, n: int, first_bureau: int, first_prev: int, test_share: float
) -> dict[str, pd.DataFrame]:
    sk_id_curr = first_curr + np.arange(n, dtype=np.int64)
    z = rng.standard_normal(n)
    applications, observable_log_odds = generate_applications(rng, sk_id_curr, z)
    bureau, bureau_balance = generate_bureau(rng, sk_id_curr, z, first_bureau)
    previous = generate_previous_applications(rng, sk_id_curr, z, first_prev)
    previous_risk = z[previous["SK_ID_CURR"].to_numpy() - first_curr]
    pos_cash, installments = generate_instalment_histories(rng, previous, previous_risk)
    cards = generate_card_histories(rng, previous, previous_risk)
    record = recorded_risk(
        applications, bureau, bureau_balance, previous, pos_cash, installments, cards, first_curr, first_bureau
    )
    true_pd = sigmoid(INTERCEPT + observable_log_odds + record + UNRECORDED_LOG_ODDS * z)
    target = (rng.random(n) < true_pd).astype(np.int64)
    in_test = rng.random(n) < test_share
    train = applications[~in_test].copy()
    train.insert(1, "TARGET", target[~in_test])
    return {
        "application_train": train,
        "application_test": applications[in_test].reset_index(drop=True),
        "bureau": bureau,
        "bureau_balance": bureau_balance,
        "previous_application": previous,
        "POS_CASH_balance": pos_cash,
        "installments_payments": installments,
        "credit_card_balance": cards,
        "generator_truth": pd.DataFrame({"SK_ID_CURR": sk_id_curr[~in_test], "TRUE_PD": true_pd[~in_test]}),
    }


def generate_home_credit(
    n_applicants: int,
    seed: int = 42,
    test_share: float = KAGGLE_TEST_SHARE,
    chunk_size: int = 25_000,
    progress: bool = True,
) -> dict[str, pd.DataFrame]:
    """The eight Kaggle tables for ``n_applicants`` (train + test) and ``generator_truth`` (train only).

    Deterministic for a given (n_applicants, seed, chunk_size); generated chunk by chunk so memory stays
    bounded by the output, and each chunk has its own seeded stream.
    """
    if n_applicants < 1:
        raise ValueError(f"generate_data.n_applicants must be a positive integer, got {n_applicants!r}")
    parts: dict[str, list[pd.DataFrame]] = {}
    first_bureau, first_prev = FIRST_SK_ID_BUREAU, FIRST_SK_ID_PREV
    starts = range(0, n_applicants, chunk_size)
    for index, start in enumerate(tqdm(starts, desc="Generating Home Credit tables", unit="chunk", disable=not progress)):
        rng = np.random.default_rng([seed, index])
        chunk = _generate_chunk(
            rng, FIRST_SK_ID_CURR + start, min(chunk_size, n_applicants - start), first_bureau, first_prev, test_share
        )
        first_bureau += len(chunk["bureau"])
        first_prev += len(chunk["previous_application"])
        for name, frame in chunk.items():
            parts.setdefault(name, []).append(frame)
    return {name: pd.concat(frames, ignore_index=True) for name, frames in parts.items()}
