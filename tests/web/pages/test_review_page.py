"""The review page made for reading (issue #21): the comparison module, the item/review pages, refusals in
races, reasons and hashes, and 同意/驳回 from the signed mobile preview — pages on both databases."""

from __future__ import annotations

import re

import itsdangerous.timed
from fastapi.testclient import TestClient
from sqlmodel import Session, select

from content import accounts, store
from content.models import Item, User
from content.preview import make_preview_token
from content.review import chain as workflow
from content.review.diff import blocks_of, body_blocks, review_diff

SECRET = "test-secret-key-for-web"
PNG = "data:image/png;base64,iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg=="
BODY_1 = f'<p>各村（社区）：</p><p>现场照片<img src="{PNG}" alt="现场">如下，请核对。</p><p>特此通知。</p>'
BODY_2 = f'<p>各村（社区）：</p><p>现场实拍照片<img src="{PNG}" alt="现场">如下，请认真核对。</p><p>特此通知。</p>'


# ---------------------------------------------------------------------------- the comparison (pure)

def test_image_paragraph_change_is_marked_in_the_rendered_article_not_as_source():
    blocks = body_blocks(BODY_1, BODY_2)
    assert [b.kind for b in blocks] == ["same", "changed", "same"]
    changed = blocks[1]
    assert "<ins>实拍</ins>" in changed.new_html and "<ins>认真</ins>" in changed.new_html
    assert "<del>" not in changed.new_html and "<ins>" not in changed.old_html
    for html in (changed.old_html, changed.new_html):
        assert html.count("<img") == 1 and "&lt;" not in html and "@@" not in html  # markup, never text


def test_chinese_marks_are_per_character_and_tables_are_kept():
    old = "<table><tbody><tr><td>时间</td><td>三月</td></tr></tbody></table>"
    new = "<table><tbody><tr><td>时间</td><td>四月</td></tr></tbody></table>"
    [block] = body_blocks(old, new)
    assert block.kind == "changed"
    for html, mark in ((block.new_html, "<ins>四</ins>月"), (block.old_html, "<del>三</del>月")):
        assert re.fullmatch(r"<table[^>]*><tbody><tr><td[^>]*>时间</td><td[^>]*>(.*)</td></tr></tbody></table>",
                            html).group(1) == mark
    assert blocks_of("<p>一</p>\n<table><tr><td>二</td></tr></table>松散文字") == [
        "<p>一</p>", "<table><tr><td>二</td></tr></table>", "松散文字"]


def test_text_that_looks_like_markup_stays_text():
    [block] = body_blocks("<p>说明 &lt;b&gt;</p>", "<p>说明 &lt;script&gt;alert(1)&lt;/script&gt;</p>")
    assert "<script" not in block.new_html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in re.sub(r"</?ins>", "", block.new_html)
    added = body_blocks("<p>一</p>", '<p>一</p><p onclick="x()">二<script>bad()</script></p>')[1]
    assert added.kind == "added" and "onclick" not in added.new_html and "<script" not in added.new_html


def test_metadata_and_files_are_labelled_chinese_lines_never_reprs():
    old = {"title": "关于春耕的通知", "attachments": [], "channels": ["portal"], "cover_image": None,
           "origin": "original", "topic_id": 1, "has_full_text": True, "body_html": "<p>a</p>"}
    new = {"title": "关于春耕备耕的通知", "attachments": [{"name": "通知.pdf", "data": "data:application/pdf;base64,AA"}],
           "channels": ["portal", "board"], "cover_image": PNG, "origin": "repost", "topic_id": 2,
           "has_full_text": False, "body_html": "<p>a</p>"}
    diff = review_diff(old, new, categories={1: "其他", 2: "科教文体卫生"})
    lines = [f"{c.label}：{c.text}" for c in diff.changes]
    assert lines == ["标题：关于春耕的通知 → 关于春耕备耕的通知", "封面图：已添加", "附件：新增 通知.pdf",
                     "门户栏目：其他 → 科教文体卫生", "发布渠道：新增 公开栏", "来源：原创 → 转载", "全文公开：是 → 否"]
    assert diff.changes[1].new_src == PNG and not diff.body_changed
    replaced = review_diff(new, {**new, "cover_image": "/files/" + "a" * 64,
                                 "attachments": [{"name": "通知.pdf", "data": "data:application/pdf;base64,BB"}]})
    assert [f"{c.label}：{c.text}" for c in replaced.changes] == ["封面图：已更换", "附件：更换 通知.pdf"]
    removed = review_diff(new, {**new, "attachments": [], "cover_image": "javascript:alert(1)"})
    assert [c.text for c in removed.changes] == ["已更换", "删除 通知.pdf"] and removed.changes[0].new_src is None
    assert review_diff(None, new).first and review_diff(new, dict(new)).unchanged


# ---------------------------------------------------------------------------- the pages (both databases)

def _user(s: Session, login: str) -> User:
    return s.exec(select(User).where(User.login == login)).one()


def _submitted(engine, world, body=BODY_1, title="关于核对现场照片的通知") -> int:
    with Session(engine) as s:
        drafter = s.get(User, world.drafter)
        item = store.create_item(s, actor=drafter, data={"title": title, "body_html": body, "topic": "其他",
                                                         "channels": ["portal"]})
        s.commit()
        workflow.apply_action(s, item_id=item.id, actor=drafter, action="submit")
        s.commit()
        return item.id


def _hash_of(page: str) -> str:
    return re.search(r'name="content_hash" value="([0-9a-f]{64})"', page).group(1)


def _visible(page: str) -> str:
    """The page without tags' attributes and without the 详情 block: what a reader sees at once."""
    page = re.sub(r'<details class="hash-details".*?</details>', "", page, flags=re.S)
    return re.sub(r"<[^>]+>", "", page)


def test_first_submission_shows_the_whole_article_files_and_no_visible_hash(client_for, engine, world):
    item_id = _submitted(engine, world)
    head = client_for("head_a")
    page = head.page(f"/items/{item_id}/review").text
    article = page[page.index('id="article"'):page.index('id="files"')]
    assert "现场照片" in article and "特此通知" in article and article.count("<img") == 1
    assert 'id="compare"' not in page and 'id="diff"' not in page
    assert "附件：</strong>无" in page
    seen = _hash_of(page)
    assert seen[:12] not in _visible(page)  # only behind 详情
    assert re.search(r'<details class="hash-details" id="hash-details"><summary>详情</summary>.*' + seen, page, re.S)
    assert 'id="decide-bar"' in page and 'data-fill="请修改后再报"' in page and 'id="btn-approve"' in page


def test_resubmission_touching_an_image_paragraph_is_a_rendered_comparison(client_for, engine, world):
    item_id = _submitted(engine, world)
    with Session(engine) as s:
        head = s.get(User, world.head_a)
        workflow.apply_action(s, item_id=item_id, actor=head, action="reject", reason="请补充核对要求")
        s.commit()
        drafter = s.get(User, world.drafter)
        store.update_item(s, actor=drafter, item_id=item_id,
                          changes={"body_html": BODY_2, "title": "关于认真核对现场照片的通知",
                                   "channels": ["portal", "mp"]})
        s.commit()
        workflow.apply_action(s, item_id=item_id, actor=drafter, action="submit")
        s.commit()
    page = client_for("head_a").page(f"/items/{item_id}/review").text
    assert "@@" not in page and "&lt;img" not in page and "&lt;/p&gt;" not in page
    assert "data:image" not in _visible(page)
    compare = page[page.index('id="compare"'):page.index('id="files"')]
    assert compare.count("<img") == 2  # the changed paragraph's image, once on each side, as an image
    assert "<ins>实拍</ins>" in compare and "<ins>认真</ins>" in compare
    changes = page[page.index('id="change-list"'):page.index("</ul>", page.index('id="change-list"'))]
    assert "标题：</strong>关于核对现场照片的通知 → 关于认真核对现场照片的通知" in changes
    assert "发布渠道：</strong>新增 微信公众号" in changes
    assert "[" not in _visible(changes) and "{" not in _visible(changes)


def _followed(client, r) -> str:
    """A refused decision: a 303 back to the page (POST-redirect-GET), and the page it leads to."""
    assert r.status_code == 303 and "refused=" in r.headers["location"], (r.status_code, r.text[:300])
    return client.page(r.headers["location"]).text


def _approve_twice(client, item_id: int) -> tuple[int, str]:
    page = client.page(f"/items/{item_id}/review").text
    seen = _hash_of(page)
    assert client.submit(f"/items/{item_id}/action", {"action": "approve", "content_hash": seen}).status_code == 303
    second_tab = client.submit(f"/items/{item_id}/action", {"action": "approve", "content_hash": seen})
    return second_tab.status_code, _followed(client, second_tab)


def test_a_second_tab_is_told_the_gate_was_decided_not_a_role_reason(client_for, engine, world, web_app):
    item_id = _submitted(engine, world)
    status, text = _approve_twice(client_for("head_a"), item_id)
    message = re.search(r'id="action-message">([^<]*)<', text).group(1)
    assert status == 303 and "该环节已由您处理" in message and "无需重复操作" in message and "分管" not in message
    with Session(engine) as s:
        assert s.get(Item, item_id).gate == "leader"

    # The API says the same (one rule): the head's second request after the leader's approval too.
    item2 = _submitted(engine, world, title="第二篇")
    api = TestClient(web_app)
    token = api.post("/api/v1/auth/token", json={"login": "head_a", "password": world.password}).json()["token"]
    auth = {"Authorization": f"Bearer {token}"}
    assert api.post(f"/api/v1/items/{item2}/approve", json={}, headers=auth).status_code == 200
    again = api.post(f"/api/v1/items/{item2}/approve", json={}, headers=auth)
    assert again.status_code == 409 and again.json()["code"] == "already_decided"
    assert "无需重复操作" in again.json()["message"] and "分管" not in again.json()["message"]
    rejected = api.post(f"/api/v1/items/{item2}/reject", json={"reason": "晚了"}, headers=auth)
    assert rejected.status_code == 409 and rejected.json()["code"] == "already_decided"


def test_a_stale_page_is_told_the_item_changed(client_for, engine, world):
    with Session(engine) as s:
        accounts.create_user(s, org_id=world.org_id, login="head_a2", name="副主任", password=world.password,
                             roles="dept_head", department="党政办")
        s.commit()
    item_id = _submitted(engine, world)
    head = client_for("head_a")
    seen = _hash_of(head.page(f"/items/{item_id}/review").text)
    with Session(engine) as s:
        workflow.edit_item(s, item=s.get(Item, item_id), actor=_user(s, "head_a2"), fields={"digest": "改过"})
        s.commit()
    page = _followed(head, head.submit(f"/items/{item_id}/action", {"action": "approve", "content_hash": seen}))
    assert "稿件已修改，请重新查看" in page
    assert _hash_of(page) != seen  # the page shown with the refusal is the new revision


def test_emergency_and_withdrawal_reasons_are_shown(client_for, engine, world):
    item_id = _submitted(engine, world)
    principal = client_for("principal")
    seen = _hash_of(principal.page(f"/items/{item_id}").text)
    r = principal.submit(f"/items/{item_id}/action", {"action": "emergency_publish", "content_hash": seen,
                                                     "reason": "防汛紧急<b>通知</b>"})
    assert r.status_code == 303
    r = principal.submit(f"/items/{item_id}/action", {"action": "withdraw", "content_hash": seen,
                                                     "reason": "数据有误需更正"})
    assert r.status_code == 303, r.text
    page = client_for("drafter").page(f"/items/{item_id}").text
    assert re.search(r'id="reason-shown-emergency_publish"><strong>紧急发布理由：</strong><span class="reason-text">'
                     r"防汛紧急&lt;b&gt;通知&lt;/b&gt;</span>", page)
    assert "撤稿理由：</strong><span class=\"reason-text\">数据有误需更正" in page


# ---------------------------------------------------------------------------- the signed mobile preview

def _token(engine, item_id: int) -> str:
    with Session(engine) as s:
        return make_preview_token(SECRET, item_id=item_id, revision_id=s.get(Item, item_id).current_revision_id)


def _state(engine, item_id: int) -> tuple[str, str | None]:
    with Session(engine) as s:
        item = s.get(Item, item_id)
        return item.state, item.gate


def test_preview_without_a_session_is_read_only(client_for, engine, world):
    item_id = _submitted(engine, world)
    link = f"/m/preview/{_token(engine, item_id)}"
    anon = client_for()
    page = anon.page(link).text
    assert 'id="decide-bar"' not in page and "请在企业微信的审核卡片中" in page and "/login?next=/m/preview/" in page
    r = anon.post(link + "/decide", data={"action": "approve"}, follow_redirects=False)
    assert r.status_code == 303 and r.headers["location"].startswith("/login?next=/m/preview/")
    assert _state(engine, item_id) == ("in_review", "dept_head")


def test_signed_in_leader_approves_from_the_preview_in_two_taps(client_for, engine, world):
    item_id = _submitted(engine, world)
    link = f"/m/preview/{_token(engine, item_id)}"
    head = client_for("head_a")
    page = head.page(link).text
    assert 'id="decide-bar"' in page and 'id="btn-approve"' in page
    r = head.submit(link + "/decide", {"action": "approve", "content_hash": _hash_of(page), "reason": "同意发布"})
    assert r.status_code == 303 and r.headers["location"] == link + "?done=approve"
    assert _state(engine, item_id) == ("in_review", "leader")
    done = head.page(link + "?done=approve").text
    assert "已同意" in done and 'id="decide-bar"' not in done
    with Session(engine) as s:
        history = workflow.review_history(s, item_id=item_id)
        assert history[-1]["steps"][0]["comment"] == "同意发布"


def test_preview_decisions_are_refused_clearly(client_for, engine, world, monkeypatch):
    with Session(engine) as s:
        accounts.create_user(s, org_id=world.org_id, login="head_a2", name="副主任", password=world.password,
                             roles="dept_head", department="党政办")
        s.commit()
    item_id = _submitted(engine, world)
    link = f"/m/preview/{_token(engine, item_id)}"
    head = client_for("head_a")
    seen = _hash_of(head.page(link).text)

    # Someone whom the gate is not waiting for: no buttons, and a forged POST changes nothing.
    other = client_for("leader_b")
    assert 'id="decide-bar"' not in other.page(link).text
    page = _followed(other, other.submit(link + "/decide", {"action": "approve", "content_hash": seen}))
    assert 'id="action-message"' in page and _state(engine, item_id) == ("in_review", "dept_head")

    # A hash other than the shown revision's is refused before anything is decided.
    r = head.submit(link + "/decide", {"action": "approve", "content_hash": "0" * 64})
    assert "重新打开预览" in _followed(head, r)

    # Expired link: one signed eight days ago.
    real = itsdangerous.timed.time.time
    monkeypatch.setattr(itsdangerous.timed.time, "time", lambda: real() - 8 * 24 * 3600)
    old_link = f"/m/preview/{_token(engine, item_id)}"
    monkeypatch.setattr(itsdangerous.timed.time, "time", real)
    r = head.submit(old_link + "/decide", {"action": "approve", "content_hash": seen})
    assert r.status_code == 403 and "预览链接已过期" in r.text
    assert _state(engine, item_id) == ("in_review", "dept_head")

    # Revised since the link was sent: told so, nothing decided.
    with Session(engine) as s:
        workflow.edit_item(s, item=s.get(Item, item_id), actor=_user(s, "head_a2"), fields={"digest": "改过"})
        s.commit()
    r = head.submit(link + "/decide", {"action": "approve", "content_hash": seen})
    assert r.status_code == 303 and "稿件已修改" in head.get(r.headers["location"]).text  # the link has ended
    assert _state(engine, item_id) == ("in_review", "dept_head")

    # Withdrawn: refused, and it stays withdrawn.
    item2 = _submitted(engine, world, title="将被撤稿的稿件")
    link2 = f"/m/preview/{_token(engine, item2)}"
    seen2 = _hash_of(head.page(link2).text)
    with Session(engine) as s:
        principal = s.get(User, world.principal)
        workflow.apply_action(s, item_id=item2, actor=principal, action="emergency_publish", reason="紧急")
        workflow.apply_action(s, item_id=item2, actor=principal, action="withdraw", reason="有误")
        s.commit()
    r = head.submit(link2 + "/decide", {"action": "reject", "content_hash": seen2, "reason": "不同意"})
    assert r.status_code == 303 and "撤回" in head.get(r.headers["location"]).text  # the link has ended
    assert _state(engine, item2) == ("withdrawn", None)


# ---------------------------------------------------------------------------- walk findings 5 and 6

SHA = "36feefcea91c3132c92b52108452a117cdeff5869383228b2bf1d0123456789a"


def test_a_changed_paragraph_with_an_unchanged_photo_is_one_row_and_the_photo_is_not_marked():
    old = f'<p>各村：</p><p>正文中插入手机照片：<img src="/files/{SHA}" alt=""></p><p>特此通知。</p>'
    new = (f'<p>各村：</p><p>现场检查照片（东风村消防通道）：<img src="/files/{SHA}" alt="消防通道" '
           f'width="600"></p><p>特此通知。</p>')
    blocks = body_blocks(old, new)
    assert [b.kind for b in blocks] == ["same", "changed", "same"]
    changed = blocks[1]
    assert "media" not in changed.old_html and "media" not in changed.new_html  # same src: not re-added
    assert "<ins>" in changed.new_html and "<del>" in changed.old_html


def _save_and_submit(engine, world, item_id: int, body: str, *, submit: bool = True) -> None:
    with Session(engine) as s:
        drafter = s.get(User, world.drafter)
        store.update_item(s, actor=drafter, item_id=item_id, changes={"body_html": body})
        s.commit()
        if submit:
            workflow.apply_action(s, item_id=item_id, actor=drafter, action="submit")
            s.commit()


def test_first_submission_after_draft_saves_is_the_whole_article_not_a_diff(client_for, engine, world):
    with Session(engine) as s:
        drafter = s.get(User, world.drafter)
        item = store.create_item(s, actor=drafter, data={"title": "关于核对现场照片的通知", "body_html": BODY_1,
                                                         "channels": ["portal"]})
        s.commit()
        item_id = item.id
        store.update_item(s, actor=drafter, item_id=item_id, changes={"topic": "其他"})
        s.commit()
    _save_and_submit(engine, world, item_id, BODY_2)  # third draft revision, first submission
    page = client_for("head_a").page(f"/items/{item_id}/review").text
    assert 'id="first-submission"' in page and "首次提交" in page
    assert 'id="compare"' not in page and 'id="diff"' not in page


def test_a_resubmission_is_compared_with_the_rejected_revision_not_an_intermediate_draft(
        client_for, engine, world):
    item_id = _submitted(engine, world)  # revision 1, submitted
    with Session(engine) as s:
        workflow.apply_action(s, item_id=item_id, actor=s.get(User, world.head_a), action="reject",
                              reason="请补充核对要求")
        s.commit()
    _save_and_submit(engine, world, item_id, BODY_1.replace("特此通知", "中间草稿"), submit=False)
    _save_and_submit(engine, world, item_id, BODY_2)
    page = client_for("head_a").page(f"/items/{item_id}/review").text
    assert "与上次送审的第 1 版相比的修改" in page and 'id="first-submission"' not in page
    compare = page[page.index('id="compare"'):page.index('id="files"')]
    assert "中间草稿" not in compare and "<ins>实拍</ins>" in compare


# ---------------------------------------------------------------------------- walk findings 7 and 9

def test_mobile_preview_shows_check_hints_and_the_changes_since_the_rejection(client_for, engine, world):
    body = BODY_1 + f'<p><img src="{PNG}"></p>'  # a picture without alt: a check hint
    item_id = _submitted(engine, world, body=body)
    head = client_for("head_a")
    first = head.page(f"/m/preview/{_token(engine, item_id)}").text
    assert 'id="warnings"' in first and "正文第 2 张图片缺少替代文字" in first
    assert 'id="first-submission"' in first and 'id="compare"' not in first
    with Session(engine) as s:
        workflow.apply_action(s, item_id=item_id, actor=s.get(User, world.head_a), action="reject", reason="请核对")
        s.commit()
    _save_and_submit(engine, world, item_id, BODY_2 + f'<p><img src="{PNG}"></p>')
    page = head.page(f"/m/preview/{_token(engine, item_id)}").text
    assert "与上次送审的第 1 版相比的修改" in page
    compare = page[page.index('id="compare"'):]
    assert "<ins>实拍</ins>" in compare and "<ins>认真</ins>" in compare
    assert "正文第 2 张图片缺少替代文字" in page


def test_a_refused_reject_redirects_back_with_the_reason_and_the_typed_text(client_for, engine, world):
    item_id = _submitted(engine, world)
    head = client_for("head_a")
    seen = _hash_of(head.page(f"/items/{item_id}/review").text)
    r = head.submit(f"/items/{item_id}/action", {"action": "reject", "reason": " ", "content_hash": seen})
    page = _followed(head, r)
    assert r.headers["location"].startswith(f"/items/{item_id}/review?")
    assert "请填写理由" in page and _state(engine, item_id) == ("in_review", "dept_head")
    # a refusal from another cause keeps what was typed
    link = f"/m/preview/{_token(engine, item_id)}"
    r = head.submit(link + "/decide", {"action": "reject", "reason": "图片<b>不清楚</b>", "content_hash": "0" * 64})
    page = _followed(head, r)
    assert "重新打开预览" in page and ">图片&lt;b&gt;不清楚&lt;/b&gt;</textarea>" in page
    forged = head.page(link + "?refused=eyJtIjoi5L2g5aW9In0.forged").text  # no link can make the page speak
    assert 'id="action-message"' not in forged


def test_the_preview_is_not_cached_so_back_shows_no_buttons_once_decided(client_for, engine, world):
    item_id = _submitted(engine, world)
    link = f"/m/preview/{_token(engine, item_id)}"
    head = client_for("head_a")
    r = head.page(link)
    assert r.headers["cache-control"] == "no-store" and 'id="btn-approve"' in r.text
    assert head.page(f"/items/{item_id}/review").headers["cache-control"] == "no-store"
    head.submit(link + "/decide", {"action": "approve", "content_hash": _hash_of(r.text)})
    assert 'id="btn-approve"' not in head.page(link).text
