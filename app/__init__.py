"""Composition root: settings, the FastAPI app factory and the Typer CLI."""
