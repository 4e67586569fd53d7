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

.PHONY: install browser postgres container-tools container run test test-container app benchmark-data-processing benchmark-full-scale viz clean-data

$(BIN)/kedro: pyproject.toml requirements.lock
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -c requirements.lock -e ".[test]"
	touch $@

install: $(BIN)/kedro

# The default generated sample is written first, unless data/01_raw/ already holds the Kaggle files.
run: install
	@test -e data/01_raw/application_train.csv || $(BIN)/kedro run --pipelines generate_data
	$(BIN)/kedro run

# The web app's browser test drives Debian's Chromium (Playwright never downloads a browser here).
CHROMIUM := /usr/bin/chromium
browser:
	@test -x $(CHROMIUM) || { apt-get update && apt-get install -y --no-install-recommends chromium; }

# The audit log, MLflow and Optuna tests on PostgreSQL start a real server from Debian's binaries.
POSTGRES_BIN := /usr/lib/postgresql/15/bin
postgres:
	@test -x $(POSTGRES_BIN)/initdb || { apt-get update && apt-get install -y --no-install-recommends postgresql-15; }

# The container tests build and run the service image with podman (or docker where a daemon answers):
# podman, runc and mmdebstrap come from apt when missing (scripts/container.sh). They run apart from the
# suite (about 3 minutes, the base image cached between runs); CI runs them before `make test`.
container-tools:
	@bash scripts/container.sh tools

test-container: install container-tools postgres
	$(BIN)/pytest tests/container --no-cov

# The style checks first (ruff lint and format, configured in pyproject.toml), then the tests with
# their coverage floor (fail_under in pyproject.toml).
STYLED := src tests app benchmarks scripts service.py
test: install browser postgres
	$(BIN)/ruff check $(STYLED)
	$(BIN)/ruff format --check $(STYLED)
	$(BIN)/pytest --ignore=tests/container

# The service as an OCI image tagged with the Bento's version (after `make run`): the Python base image is
# built from Debian packages once, then the Bento and its image; prints the image's name, size and build time.
container: install
	BIN=$(BIN) bash scripts/container.sh

# The web app on http://localhost:8501, talking to the service at CREDIT_SCORING_APP_SERVICE_URL
# (default http://127.0.0.1:3000: start it with `bentoml serve` in another terminal).
app: install
	$(BIN)/streamlit run app/streamlit_app.py

benchmark-data-processing: install
	$(BIN)/python benchmarks/data_processing_full_scale.py

# The whole default `kedro run --env benchmark` on Kaggle-size generated data (generated once): wall time,
# peak memory, slow nodes, tuning trials and holdout figures against the oracle (docs/benchmarks.md).
benchmark-full-scale: install
	$(BIN)/python benchmarks/full_scale_run.py

viz: install
	$(BIN)/kedro viz run --autoreload

# Removes generated data and outputs (never real Kaggle files: the manifest check is in generate_data).
clean-data:
	rm -f data/0[2-8]_*/*.parquet data/0[2-8]_*/*.json data/0[2-8]_*/*.png
