"""pret-a-depenser: credit scoring as a Kedro project, tracked with MLflow, served with BentoML."""

import warnings

# Third-party warnings the project cannot fix, silenced with the reason (every other warning shows):
# - OmegaConf 2.4 deprecates register_new_resolver(), which Kedro's config loader and kedro-mlflow's
#   hook still call on every run.
warnings.filterwarnings("ignore", message=r"register_new_resolver\(\) is deprecated", category=UserWarning)

__version__ = "0.1"
