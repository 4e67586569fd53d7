"""Vectorised sampling helpers shared by the table generators."""

from __future__ import annotations

import numpy as np
import pandas as pd

from .vocabulary import Vocabulary


def categorical(rng: np.random.Generator, vocabulary: Vocabulary, n: int) -> pd.Categorical:
    """Draw ``n`` values with the vocabulary's frequencies (renormalised)."""
    values = list(vocabulary)
    weights = np.fromiter(vocabulary.values(), dtype=float)
    codes = rng.choice(len(values), size=n, p=weights / weights.sum())
    return pd.Categorical.from_codes(codes, categories=values)


def with_missing(rng: np.random.Generator, values: np.ndarray, missing_rate: float) -> np.ndarray:
    """Blank a random ``missing_rate`` share of a float array (missing completely at random)."""
    out = np.asarray(values, dtype=float).copy()
    out[rng.random(out.size) < missing_rate] = np.nan
    return out


def blank_categories(values: pd.Categorical, mask: np.ndarray) -> pd.Categorical:
    """Set a categorical's entries to missing where ``mask`` is true."""
    codes = values.codes.copy()
    codes[mask] = -1
    return pd.Categorical.from_codes(codes, categories=values.categories)


def sigmoid(x: np.ndarray) -> np.ndarray:
    return 1.0 / (1.0 + np.exp(-x))


def quantile_map(uniform: np.ndarray, knots: tuple[tuple[float, float], ...]) -> np.ndarray:
    """Map uniforms through a piecewise-linear quantile function given as (probability, value) knots."""
    probabilities, values = zip(*knots, strict=True)
    return np.interp(uniform, probabilities, values)


def counts(rng: np.random.Generator, mean: float | np.ndarray, dispersion: float, n: int) -> np.ndarray:
    """Over-dispersed (negative binomial) counts with the given mean: real fan-outs are long-tailed."""
    mean = np.broadcast_to(np.asarray(mean, dtype=float), (n,))
    p = dispersion / (dispersion + mean)
    return rng.negative_binomial(dispersion, p)


def fan_out(
    rng: np.random.Generator, n_parents: int, share_with_any: float, mean_among_those: float, dispersion: float
) -> np.ndarray:
    """Index of the parent of each child row: a ``share_with_any`` of parents get 1 + over-dispersed children."""
    has_any = rng.random(n_parents) < share_with_any
    per_parent = np.where(has_any, 1 + counts(rng, mean_among_those - 1, dispersion, n_parents), 0)
    return np.repeat(np.arange(n_parents), per_parent)


def position_in_group(group_sizes: np.ndarray) -> np.ndarray:
    """0, 1, ... within each consecutive group of the given sizes (a vectorised cumcount)."""
    total = int(group_sizes.sum())
    starts = np.repeat(np.cumsum(group_sizes) - group_sizes, group_sizes)
    return np.arange(total) - starts


def cumsum_in_group(values: np.ndarray, group_sizes: np.ndarray) -> np.ndarray:
    """Running total that restarts at each consecutive group."""
    running = np.cumsum(values)
    before_group = (
        np.repeat(np.concatenate(([0], running[np.cumsum(group_sizes)[:-1] - 1])), group_sizes) if group_sizes.size else running
    )
    return running - before_group
