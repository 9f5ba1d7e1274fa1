"""FastAPI dependencies shared by the API and the web UI. The engine lives on app.state."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Annotated

from fastapi import Depends, Request
from sqlmodel import Session

from content.files import context_for_app


def get_session(request: Request) -> Iterator[Session]:
    with Session(request.app.state.engine, expire_on_commit=False) as session:
        session.info["files"] = context_for_app(request.app.state)  # data: URIs in input go to the file store
        yield session


SessionDep = Annotated[Session, Depends(get_session)]
