"""ASGI entry point for multi-worker servers: `uvicorn app.asgi:app`."""

from app.factory import create_app

app = create_app()
