"""How close a model reading the tables can get to the generator's oracle.

The generator's true PD is sigmoid(intercept + application effects + recorded history + 0.35 z), where
z, the latent risk, is recorded nowhere (generator/__init__.py). This script generates applicants
chunk by chunk as the generator does and prints, over all of them, the ROC AUC of: the oracle (true PD), the
log-odds without the unrecorded part (a ceiling for any model of the tables, up to what the other
z-driven fields reveal), and each part alone.

    python benchmarks/oracle_ceiling.py [--chunks 6] [--seed 7]
"""

from __future__ import annotations

import argparse

import numpy as np
from sklearn.metrics import roc_auc_score

from pret_a_depenser import generator
from pret_a_depenser.generator.applications import generate_applications
from pret_a_depenser.generator.bureau import generate_bureau
from pret_a_depenser.generator.histories import generate_card_histories, generate_instalment_histories
from pret_a_depenser.generator.previous import generate_previous_applications
from pret_a_depenser.generator.recorded_risk import recorded_risk

CHUNK = 25_000


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--chunks", type=int, default=6, help=f"chunks of {CHUNK:,} applicants")
    parser.add_argument("--seed", type=int, default=7)
    options = parser.parse_args()
    outcomes, scores = [], {"oracle": [], "observable + recorded": [], "application effects": [], "recorded history": []}
    for index in range(options.chunks):
        rng = np.random.default_rng([options.seed, index])
        first = generator.FIRST_SK_ID_CURR + index * CHUNK
        ids = first + np.arange(CHUNK, dtype=np.int64)
        z = rng.standard_normal(CHUNK)
        applications, observable = generate_applications(rng, ids, z)
        bureau, bureau_balance = generate_bureau(rng, ids, z, generator.FIRST_SK_ID_BUREAU)
        previous = generate_previous_applications(rng, ids, z, generator.FIRST_SK_ID_PREV)
        previous_risk = z[previous["SK_ID_CURR"].to_numpy() - first]
        pos_cash, installments = generate_instalment_histories(rng, previous, previous_risk)
        cards = generate_card_histories(rng, previous, previous_risk)
        record = recorded_risk(
            applications, bureau, bureau_balance, previous, pos_cash, installments, cards, first, generator.FIRST_SK_ID_BUREAU
        )
        true_pd = generator.sigmoid(generator.INTERCEPT + observable + record + generator.UNRECORDED_LOG_ODDS * z)
        outcomes.append((rng.random(CHUNK) < true_pd).astype(int))
        for name, values in zip(scores, (true_pd, observable + record, observable, record), strict=True):
            scores[name].append(values)
    y = np.concatenate(outcomes)
    oracle = roc_auc_score(y, np.concatenate(scores["oracle"]))
    print(f"{len(y):,} generated applicants, {y.mean():.3f} default rate")
    for name, values in scores.items():
        auc = roc_auc_score(y, np.concatenate(values))
        print(f"  ROC AUC of {name:<24} {auc:.4f}  ({auc / oracle:.3f} x the oracle's)")


if __name__ == "__main__":
    main()
