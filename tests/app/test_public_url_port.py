"""`gongkai run --port P` without GONGKAI_PUBLIC_URL: the links it writes name port P, not 8000."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys

import httpx
from sqlmodel import Session, select

from app.demo import DEMO_ROBOT_KEY, _demo_robot
from app.public_url import url_for_listen_address
from content.db.db import make_engine
from content.models import Organization
from content.models.channel_targets import RobotGroup
from tests.waiting import wait_for


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _env(db) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("GONGKAI_")}
    env.update(GONGKAI_DATABASE_URL=f"sqlite:///{db}", GONGKAI_ARGON2_PROFILE="test", GONGKAI_SANDBOX="1",
               GONGKAI_SECRET_KEY="port-test-" + "k" * 40)
    return env


def _answers(url: str) -> bool:
    try:
        return httpx.get(url, timeout=2).status_code < 500
    except httpx.HTTPError:
        return False


def test_run_on_another_port_writes_links_to_that_port(tmp_path):
    db = tmp_path / "gongkai.db"
    init = subprocess.run([sys.executable, "-m", "app.cli", "init"], env=_env(db), cwd=tmp_path,
                          capture_output=True, text=True, timeout=180)
    assert init.returncode == 0, init.stderr
    engine = make_engine(f"sqlite:///{db}")
    with Session(engine) as s:  # the demo's group robot, as `init --demo` writes it (default public URL)
        _demo_robot(s, s.exec(select(Organization)).one(), "http://127.0.0.1:8000")
        s.commit()
    engine.dispose()
    port = _free_port()
    base = f"http://127.0.0.1:{port}"
    log = tmp_path / "server.log"
    server = subprocess.Popen([sys.executable, "-m", "app.cli", "run", "--port", str(port)], env=_env(db),
                              cwd=tmp_path, stdout=log.open("w"), stderr=subprocess.STDOUT)
    try:
        if not wait_for(lambda: _answers(f"{base}/healthz"), seconds=90):
            server.kill()
            raise AssertionError(f"server did not start: {log.read_text()[-2000:]}")
        feed = httpx.get(f"{base}/feeds/default.atom", timeout=10)
        assert feed.status_code == 200
        assert f"{base}/feeds/default.atom" in feed.text and f"{base}/screen/default" in feed.text
        assert "127.0.0.1:8000" not in feed.text
        # the demo robot (written by init with the default :8000) now posts to this server's emulator
        engine = make_engine(f"sqlite:///{db}")
        with Session(engine) as s:
            robot = s.exec(select(RobotGroup).where(RobotGroup.webhook_url.endswith(DEMO_ROBOT_KEY))).one()
            assert robot.webhook_url.startswith(f"{base}/"), robot.webhook_url
        engine.dispose()
        assert _answers(robot.webhook_url.replace("/send?", "/_messages?"))
    finally:
        server.send_signal(signal.SIGINT)
        try:
            server.wait(timeout=30)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()


def test_explicit_public_url_wins_and_wildcard_binds_mean_loopback(monkeypatch):
    from app.public_url import follow_listen_address

    monkeypatch.setenv("GONGKAI_PUBLIC_URL", "https://gk.example.gov.cn")
    assert follow_listen_address("0.0.0.0", 8100).public_url == "https://gk.example.gov.cn"
    monkeypatch.delenv("GONGKAI_PUBLIC_URL")
    monkeypatch.chdir(os.path.dirname(__file__))  # no .env here
    assert follow_listen_address("127.0.0.1", 8100).public_url == "http://127.0.0.1:8100"
    assert url_for_listen_address("0.0.0.0", 9000) == "http://127.0.0.1:9000"
    assert url_for_listen_address("::1", 9000) == "http://[::1]:9000"
