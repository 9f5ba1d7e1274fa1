"""In sandbox mode the app itself serves the group-robot webhook emulator; with credentials it does not."""

from fastapi.testclient import TestClient

from app.factory import create_app
from content.settings import Settings

KEY = "0f6c2b8e-1d2a-4c3b-9e8f-0123456789ab"


def test_robot_emulator_mounted_only_in_sandbox(sqlite_engine):
    sandbox = TestClient(create_app(Settings(database_url=str(sqlite_engine.url)), engine=sqlite_engine))
    r = sandbox.post(f"/sandbox/wecom-robot/cgi-bin/webhook/send?key={KEY}",
                     json={"msgtype": "markdown", "markdown": {"content": "示例"}})
    assert r.json()["errcode"] == 0
    got = sandbox.get(f"/sandbox/wecom-robot/cgi-bin/webhook/_messages?key={KEY}").json()
    assert [m["body"]["markdown"]["content"] for m in got][-1] == "示例"

    real = Settings(database_url=str(sqlite_engine.url), portal_url="https://portal.example.gov.cn",
                    secret_key="a-real-secret-key-for-this-test")
    live = TestClient(create_app(real, engine=sqlite_engine))
    assert live.post(f"/sandbox/wecom-robot/cgi-bin/webhook/send?key={KEY}", json={}).status_code == 404


def test_sandbox_clients_never_fall_back_to_the_real_platform():
    """Sandbox mode without the emulator endpoints that app wires in is a start-up error, not a call to WeChat."""
    import pytest

    from app.sandbox_wiring import with_sandbox_endpoints
    from bot.config import channel_config
    from content.settings import Settings

    bare = Settings(sandbox_requested=True, _env_file=None)
    with pytest.raises(RuntimeError, match="with_sandbox_endpoints"):
        channel_config(bare, "mp")
    wired = with_sandbox_endpoints(bare)
    assert wired.sandbox and "weixin.qq.com" not in channel_config(wired, "mp").api_base
    assert wired.sandbox_portal_url.startswith("http://127.0.0.1")
