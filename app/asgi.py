"""ASGI entry point for multi-worker servers: `uvicorn app.asgi:app`.

Each worker process imports this module afresh, so it sets up logging itself (plain or JSON,
secrets masked) before building the app.
"""

from app.factory import create_app
from app.gc_tuning import tune_for_serving
from app.logging_setup import setup_logging
from content.settings import Settings

_settings = Settings()
setup_logging(_settings)
app = create_app(_settings)
tune_for_serving()
