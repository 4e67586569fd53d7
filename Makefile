# The two quick-start commands: `make run` (set up + run the whole job) and `make test`.
# Both create .venv with the pinned versions from requirements.lock on first use.

PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin

# Nothing phones home: Kedro, MLflow and BentoML telemetry are off for every target.
export KEDRO_DISABLE_TELEMETRY := 1
export MLFLOW_DISABLE_TELEMETRY := true
export BENTOML_DO_NOT_TRACK := true
export DO_NOT_TRACK := true

.PHONY: install run test benchmark-data-processing viz clean-data

$(BIN)/kedro: pyproject.toml requirements.lock
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -c requirements.lock -e ".[test]"
	touch $@

install: $(BIN)/kedro

run: install
	$(BIN)/kedro run

test: install
	$(BIN)/pytest

benchmark-data-processing: install
	$(BIN)/python benchmarks/data_processing_full_scale.py

viz: install
	$(BIN)/kedro viz run --autoreload

# Removes generated data and outputs (never real Kaggle files: the manifest check is in generate_data).
clean-data:
	rm -f data/0[2-8]_*/*.parquet data/0[2-8]_*/*.json data/0[2-8]_*/*.png
