"""API test fixtures: the real ASGI app over the `engine` fixture (SQLite and PostgreSQL)."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from app.factory import create_app
from content.settings import Settings


class Api:
    """A TestClient plus per-login bearer tokens: `api.as_("drafter").post(...)`."""

    def __init__(self, client: TestClient, password: str):
        self.client = client
        self.password = password
        self._tokens: dict[str, str] = {}

    def token(self, login: str) -> str:
        if login not in self._tokens:
            r = self.client.post("/api/v1/auth/token", json={"login": login, "password": self.password})
            assert r.status_code == 200, r.text
            self._tokens[login] = r.json()["token"]
        return self._tokens[login]

    def as_(self, login: str) -> _As:
        return _As(self.client, {"Authorization": f"Bearer {self.token(login)}"})


class _As:
    def __init__(self, client: TestClient, headers: dict[str, str]):
        self.client = client
        self.headers = headers

    def get(self, url: str, **kw):
        return self.client.get(url, headers=self.headers, **kw)

    def post(self, url: str, **kw):
        return self.client.post(url, headers=self.headers, **kw)

    def patch(self, url: str, **kw):
        return self.client.patch(url, headers=self.headers, **kw)

    def put(self, url: str, **kw):
        return self.client.put(url, headers=self.headers, **kw)


@pytest.fixture
def settings(db_url) -> Settings:
    return Settings(database_url=db_url, secret_key="test-secret-key-for-api", max_body_bytes=200_000)


@pytest.fixture
def client(engine, settings) -> TestClient:
    with TestClient(create_app(settings, engine=engine)) as c:
        yield c


@pytest.fixture
def api(client, world) -> Api:
    return Api(client, world.password)
