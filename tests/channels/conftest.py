"""Fixtures of the extra-channel tests: the robot emulator on a test clock."""

from __future__ import annotations

import pytest

from sandbox.robot import RobotEmulator, RobotState
from tests.channels.helpers import Clock


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def robot_emulator(clock):
    state = RobotState(clock=lambda: clock().timestamp())
    with RobotEmulator(state) as emulator:
        yield emulator


@pytest.fixture
def outbox_clock(monkeypatch, clock) -> Clock:
    """The outbox (claiming, retry times) reads the same test clock as the adapters and emulator."""
    import scheduler.outbox

    monkeypatch.setattr(scheduler.outbox, "utcnow", clock)
    return clock


@pytest.fixture
def public_client(engine):
    from fastapi.testclient import TestClient

    from app.factory import create_app
    from content.settings import Settings

    settings = Settings(database_url=str(engine.url), public_url="http://gov.test")
    with TestClient(create_app(settings, engine=engine), raise_server_exceptions=False) as client:
        yield client


@pytest.fixture
def staff_client(engine, world):
    """staff_client("admin") → a logged-in WebClient (the web UI's test client) on the test engine."""
    from app.factory import create_app
    from content.settings import Settings
    from tests.web.pages.conftest import WebClient

    settings = Settings(database_url=str(engine.url), secret_key="test-secret-key-for-web", public_url="http://gov.test")
    app = create_app(settings, engine=engine)
    clients = []

    def make(login: str) -> WebClient:
        c = WebClient(app, raise_server_exceptions=False)
        clients.append(c)
        c.page("/login")
        r = c.submit("/login", {"login": login, "password": world.password, "next": "/"})
        assert r.status_code == 303, r.text
        c.page("/")
        return c

    yield make
    for c in clients:
        c.close()
