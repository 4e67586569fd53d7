"""Typed parameters: the shipped configuration passes, a misspelt or mistyped key stops the run by name."""

from __future__ import annotations

import copy

import pytest
from conftest import SMALL_PARAMETERS, kedro_run
from kedro.config import OmegaConfigLoader

from pret_a_depenser.parameters import ParameterError, validate_parameters


@pytest.fixture(scope="module")
def shipped_parameters(project_root) -> dict:
    loader = OmegaConfigLoader(str(project_root / "conf"), base_env="base", default_run_env="base")
    return loader["parameters"]


def test_the_shipped_parameters_match_the_typed_models(shipped_parameters):
    parameters = validate_parameters(shipped_parameters)
    assert parameters.seed == 42 and parameters.tuning.search_space["depth"].type == "int"
    assert parameters.thresholding.calibration in ("platt", "isotonic", "none")


def test_every_problem_is_named_by_its_key(shipped_parameters):
    parameters = copy.deepcopy(shipped_parameters)
    parameters["tuning"]["n_trails"] = 3
    parameters["tuning"]["n_trials"] = "8"
    parameters["split"]["holdout_share"] = 1.5
    del parameters["monitoring"]["psi_bins"]
    parameters["tuning"]["search_space"]["depth"]["low"] = 4.5
    with pytest.raises(ParameterError) as error:
        validate_parameters(parameters)
    message = str(error.value)
    assert "tuning.n_trails: unknown key" in message
    assert "tuning.n_trials: Input should be a valid integer (got '8')" in message
    assert "split.holdout_share: Input should be less than 1" in message
    assert "monitoring.psi_bins: Field required" in message
    assert "tuning.search_space.depth: Value error, an int dimension needs int bounds" in message


def test_the_small_test_parameters_are_valid_too(shipped_parameters):
    merged = copy.deepcopy(shipped_parameters)
    for block, values in SMALL_PARAMETERS.items():
        merged[block] = {**merged[block], **values} if isinstance(values, dict) else values
    validate_parameters(merged)


def test_a_misspelt_runtime_parameter_stops_the_run_before_any_node(project_copy):
    result = kedro_run(project_copy, "--pipelines", "split", "--params", "split.n_fold=3")
    assert result.returncode != 0 and "split.n_fold: unknown key" in result.stderr
    assert not any((project_copy / "data").rglob("*.parquet"))
