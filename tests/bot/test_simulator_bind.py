"""The chat simulator binds its first user from the page: form fields, Chinese errors, never raw JSON."""

from __future__ import annotations

from sqlmodel import Session

from bot.binding import create_code
from content.models import User


def test_first_user_binds_from_the_page(client, engine, world):
    page = client.get("/sandbox/chat")  # nobody is bound yet: every active user is offered
    assert page.status_code == 200 and "head_a" in page.text and "未绑定" in page.text
    assert 'name="bind_code"' in page.text and '<label for="bind_code">绑定码</label>' in page.text
    with Session(engine) as s:
        code, _ = create_code(s, user=s.get(User, world.head_a), secret_key="bot-test-secret")
        s.commit()
    res = client.post("/sandbox/chat", data={"user_id": str(world.head_a), "channel": "wecom", "bind_code": code})
    assert res.status_code == 200 and "绑定成功：head_a" in res.text, res.text
    with Session(engine) as s:
        assert s.get(User, world.head_a).wecom_userid == "sandbox-wecom-head_a"
    # bound now: the next command is answered as that user
    res = client.post("/sandbox/chat", data={"user_id": str(world.head_a), "channel": "wecom", "text": "待审"})
    assert res.status_code == 200 and "Field required" not in res.text and "暂无待审稿件" in res.text


def test_simulator_form_mistakes_get_chinese_messages(client, world):
    for data, message in (
        ({"channel": "wecom", "text": "帮助"}, "请先在上方选择要扮演的用户"),
        ({"user_id": "", "channel": "wecom", "text": "帮助"}, "请先在上方选择要扮演的用户"),
        ({"user_id": str(world.head_a), "channel": "wecom", "bind_code": "12ab"}, "绑定码是 8 位数字"),
        ({"user_id": str(world.head_a), "channel": "wecom", "text": "  "}, "请输入要发送的内容"),
    ):
        res = client.post("/sandbox/chat", data=data)
        assert res.status_code == 422 and message in res.text, (data, res.text[:300])
        assert res.headers["content-type"].startswith("text/html") and "Field required" not in res.text
