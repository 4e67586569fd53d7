"""The web app's logic (``app/`` holds its Streamlit pages): a client of the scoring service, reads of the
pipeline's outputs through the Kedro catalog, and the pure functions behind each page's figures.

The app never scores on its own: every probability and decision it shows is the service's answer.
"""

from .service_client import ScoringService, ServiceError
from .settings import AppSettings

__all__ = ["AppSettings", "ScoringService", "ServiceError"]
