"""The editor never loses work: read-only view with 撤回后修改, PRG + nonce, honest submit failures,
every channel of the org selectable and kept (both databases)."""

from __future__ import annotations

import re

from sqlmodel import Session, select

from channels.wecom_group.robots import create_robot, delete_robot
from content import store
from content.models import AuditEvent, Category, Item, User

FETCH = {"accept": "application/json", "x-editor-fetch": "1"}
ROBOT_URL = "https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=12345678-1234-1234-1234-123456789abc"


def _topic(engine) -> str:
    with Session(engine) as s:
        return str(s.exec(select(Category).where(Category.taxonomy == "topic", Category.name == "其他")).one().id)


def _form(engine, **over) -> dict:
    data = {"title": "关于冬季安全生产的通知", "body_html": "<p>为切实做好冬季安全生产工作。</p>",
            "topic_id": _topic(engine), "channels": ["portal"], "origin": "original", "publish_mode": "now",
            "disclosure_type": "proactive", "intent": "save"}  # fmt: skip
    data.update(over)
    return data


def _nonce(html: str) -> str:
    return re.search(r'name="nonce" value="([^"]+)"', html).group(1)


def _items(engine) -> list[Item]:
    with Session(engine) as s:
        return list(s.exec(select(Item).order_by(Item.id)))


def _id(location: str) -> int:
    return int(re.search(r"/items/(\d+)", location).group(1))


def test_saving_an_item_in_review_is_a_clear_refusal_and_recall_then_edit_works(client_for, engine):
    c = client_for("drafter")
    page = c.page("/items/new")
    r = c.submit("/items/new", _form(engine, intent="submit", nonce=_nonce(page.text)))
    assert r.status_code == 303 and r.headers["location"].endswith("?submitted=1"), r.text
    item_id = _id(r.headers["location"])

    # Back after submitting: the editor is read-only and offers 撤回后修改
    page = c.page(f"/items/{item_id}/edit")
    assert page.status_code == 200
    assert 'id="readonly-view"' in page.text and 'id="recall-edit-btn"' in page.text
    assert 'id="item-form"' not in page.text and "为切实做好冬季安全生产工作。" in page.text

    # an old tab's 保存草稿: a Chinese 403 page with the header intact (was a bare 500)
    r = c.submit(f"/items/{item_id}/edit", _form(engine, title="改过的标题"))
    assert r.status_code == 403 and "没有权限" in r.text and "审核中的稿件只能由当前环节的审核人修改" in r.text
    assert "drafter（" in r.text  # the header's user name: rendered from a detached user without error
    # the editor's script gets JSON it can show while keeping the text
    r = c.post(f"/items/{item_id}/edit", data={"csrf_token": c.csrf, **_form(engine, title="改过的标题")},
               headers=FETCH, follow_redirects=False)
    assert r.status_code == 403 and r.json()["ok"] is False and "撤回" in r.json()["message"]
    assert _items(engine)[0].title == "关于冬季安全生产的通知" and _items(engine)[0].state == "in_review"

    # someone else (not the drafter) sees the read-only view without the recall button
    other = client_for("drafter2")
    page = other.page(f"/items/{item_id}/edit")
    assert 'id="readonly-view"' in page.text and 'id="recall-edit-btn"' not in page.text
    assert other.submit(f"/items/{item_id}/recall-to-edit").status_code == 303
    assert _items(engine)[0].state == "in_review"

    r = c.submit(f"/items/{item_id}/recall-to-edit")
    assert r.status_code == 303 and r.headers["location"].startswith(f"/items/{item_id}/edit?notice=")
    page = c.page(r.headers["location"])
    assert 'id="item-form"' in page.text and "已撤回为草稿" in page.text
    r = c.submit(f"/items/{item_id}/edit", _form(engine, title="改过的标题"))
    assert r.status_code == 303
    item = _items(engine)[0]
    assert item.state == "draft" and item.title == "改过的标题"
    with Session(engine) as s:
        actions = [e.action for e in s.exec(select(AuditEvent).where(AuditEvent.target_id == item_id)
                                            .order_by(AuditEvent.id))]
    assert "item.recall" in actions and actions[-1] == "item.edit"


def test_the_same_new_item_form_never_creates_two_items(client_for, engine):
    c = client_for("drafter")
    nonce = _nonce(c.page("/items/new").text)
    first = c.submit("/items/new", _form(engine, nonce=nonce))
    again = c.submit("/items/new", _form(engine, nonce=nonce))  # F5 / double click / retry
    fetched = c.post("/items/new", data={"csrf_token": c.csrf, **_form(engine, nonce=nonce)}, headers=FETCH)
    assert first.status_code == again.status_code == 303
    assert first.headers["location"] == again.headers["location"] == fetched.json()["location"]
    assert len(_items(engine)) == 1
    # a fresh form is a new item
    other = c.submit("/items/new", _form(engine, nonce=_nonce(c.page("/items/new").text)))
    assert other.status_code == 303 and len(_items(engine)) == 2


def test_failed_submit_says_the_draft_was_saved(client_for, engine):
    c = client_for("drafter")
    nonce = _nonce(c.page("/items/new").text)
    r = c.submit("/items/new", _form(engine, nonce=nonce, intent="submit", body_html=""))
    assert r.status_code == 303 and "notice=" in r.headers["location"]
    page = c.page(r.headers["location"])
    assert "已保存为草稿，但未能提交审核：" in page.text and "正文不能为空" in page.text
    assert [(i.state, i.title) for i in _items(engine)] == [("draft", "关于冬季安全生产的通知")]
    # the notice cannot be forged through the link
    forged = c.page(f"/items/{_items(engine)[0].id}/edit?notice=hello")
    assert forged.status_code == 200 and "hello" not in forged.text
    # fetch mode: the same, as JSON with the address of the saved draft
    r = c.post(f"/items/{_items(engine)[0].id}/edit", data={"csrf_token": c.csrf, **_form(engine, body_html="",
               intent="submit")}, headers=FETCH)  # fmt: skip
    assert r.status_code == 200 and "notice=" in r.json()["location"]


def test_fetch_save_answers_json_errors_and_keeps_nothing_half_written(client_for, engine):
    c = client_for("drafter")
    c.page("/items/new")
    r = c.post("/items/new", data={"csrf_token": c.csrf, **_form(engine, title="")}, headers=FETCH)
    assert r.status_code == 422 and r.json()["errors"]["title"] == "标题不能为空" and not _items(engine)
    stale = c.post("/items/new", data={"csrf_token": "stale", **_form(engine)}, headers=FETCH)
    assert stale.status_code == 403 and stale.json()["code"] == "csrf_failed" and not _items(engine)
    # an expired session answers a redirect to the login page, which the script recognises
    anon = client_for(None)
    r = anon.post("/items/new", data={"csrf_token": anon.csrf, **_form(engine)}, headers=FETCH,
                  follow_redirects=False)
    assert r.status_code == 303 and r.headers["location"].startswith("/login") and not _items(engine)


def test_every_channel_is_selectable_and_channels_set_elsewhere_survive_a_web_save(client_for, engine, world):
    with Session(engine) as s:
        admin = s.get(User, world.admin)
        keep = create_robot(s, actor=admin, name="一村网格群", webhook_url=ROBOT_URL)
        gone = create_robot(s, actor=admin, name="二村网格群", webhook_url=ROBOT_URL.replace("abc", "abd"))
        s.commit()
        keep_id, gone_id = keep.id, gone.id
    c = client_for("drafter")
    page = c.page("/items/new").text
    for code, label in (("portal", "门户网站"), ("mp", "微信公众号"), ("board", "公开栏"),
                        (f"wecom_group:{keep_id}", "一村网格群")):
        assert f'value="{code}"' in page and label in page

    # an item given channels through the API (store), then the robot is deleted
    topic = int(_topic(engine))
    with Session(engine) as s:
        drafter = s.get(User, world.drafter)
        item = store.create_item(s, actor=drafter, channel="api", data={
            "title": "通知", "body_html": "<p>正文</p>", "topic_id": topic,
            "channels": ["portal", "board", f"wecom_group:{keep_id}", f"wecom_group:{gone_id}"]})
        s.commit()
        item_id = item.id
        delete_robot(s, actor=s.get(User, world.admin), robot_id=gone_id)
        s.commit()
    page = c.page(f"/items/{item_id}/edit").text
    checked = set(re.findall(r'name="channels" value="([^"]+)" checked', page))
    assert checked == {"portal", "board", f"wecom_group:{keep_id}", f"wecom_group:{gone_id}"}
    assert "二村网格群，已删除" in page
    # the browser posts what is ticked: every channel is kept
    r = c.submit(f"/items/{item_id}/edit", _form(engine, channels=sorted(checked), title="通知（修改）"))
    assert r.status_code == 303
    assert set(_items(engine)[0].channels) == checked
