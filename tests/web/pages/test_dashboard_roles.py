"""工作台 per role, on both databases: the drafter's items by state, the reviewer's queue, the admin's
failed channels, unfinished reviews and due applications; Chinese channel names and WeChat errors;
only what went out under 最近发布; every list paginated."""

from __future__ import annotations

import re
import uuid
from datetime import timedelta

from sqlmodel import Session

from annual.registers.applications import create_application
from annual.workdays import WorkCalendar
from content import store
from content.models import Item, Publication, User
from content.review import chain as workflow
from content.timeutil import local_today, utcnow


def _item(s: Session, world, title: str, *, drafter=None) -> Item:
    user = s.get(User, drafter or world.drafter)
    return store.create_item(s, actor=user, data={"title": title, "body_html": "<p>正文</p>", "topic": "其他",
                                                  "channels": ["portal"]})


def _pub(s: Session, item: Item, channel: str, state: str, *, error: str | None = None, due_in_days: int = 0,
         target: str = "") -> None:
    now = utcnow()
    s.add(Publication(org_id=item.org_id, item_id=item.id, revision_id=item.current_revision_id,
                      content_hash="0" * 64, channel=channel, target=target, state=state,
                      due_at=now + timedelta(days=due_in_days), last_error=error,
                      idempotency_key=f"test-{uuid.uuid4().hex}",
                      sent_at=now if state in ("sent", "confirmed") else None,
                      confirmed_at=now if state == "confirmed" else None))


def _section(page: str, section_id: str) -> str:
    start = page.index(f'id="{section_id}"')
    end = page.find("</section>", start)
    return page[start:end]


def test_drafter_sees_own_items_by_state_paginated_and_no_admin_lists(client_for, engine, world):
    with Session(engine) as s:
        for n in range(12):
            _item(s, world, f"我的草稿{n:02d}")
        _item(s, world, "别人的草稿", drafter=world.drafter2)
        s.commit()
    c = client_for("drafter")
    page = c.page("/").text
    mine = _section(page, "my-items")
    assert "草稿 12" in mine and "已驳回 0" in mine
    assert len(re.findall(r"我的草稿\d\d", mine)) == 10 and "别人的草稿" not in mine
    assert "第 1 / 2 页，共 12 条" in mine and "mine_page=2" in mine
    second = _section(c.page("/?mine_state=draft&mine_page=2").text, "my-items")
    assert len(re.findall(r"我的草稿\d\d", second)) == 2 and "/edit" in second
    assert 'id="failed-channels"' not in page and 'id="due-applications"' not in page
    assert 'id="pending-reviews"' not in page  # a drafter has no review queue
    assert _section(c.page("/?mine_state=published").text, "my-items").count("<tr>") == 0


def test_reviewer_sees_exactly_their_queue(client_for, engine, world):
    with Session(engine) as s:
        for title in ("党政办待审稿", "经发办待审稿"):
            drafter = world.drafter if title.startswith("党政办") else world.drafter_b
            item = _item(s, world, title, drafter=drafter)
            workflow.apply_action(s, item_id=item.id, actor=s.get(User, drafter), action="submit")
        s.commit()
    queue = _section(client_for("head_a").page("/").text, "pending-reviews")
    assert "待我审核（1）" in queue and "党政办待审稿" in queue and "经发办待审稿" not in queue
    assert "党政办待审稿" not in _section(client_for("leader").page("/").text, "pending-reviews")  # not its gate yet
    assert "待我审核（1）" in _section(client_for("head_b").page("/").text, "pending-reviews")


def test_admin_sees_failed_channels_incomplete_reviews_and_due_applications(client_for, engine, world):
    today = local_today()
    with Session(engine) as s:
        failed = _item(s, world, "公众号失败稿")
        _pub(s, failed, "mp", "failed", error="公众号发布失败：40007 invalid media_id hint: [Ab12]")
        board = _item(s, world, "公开栏已发稿")
        _pub(s, board, "board", "confirmed")
        _pub(s, board, "wecom_group", "sent", target="3")
        later = _item(s, world, "定时待发稿")
        later.state = "scheduled"
        _pub(s, later, "portal", "pending", due_in_days=3)
        urgent = _item(s, world, "紧急发布补审稿")
        urgent.review_incomplete = True
        s.add_all([later, urgent])
        cal = WorkCalendar.load(s, world.org_id)
        # received long ago: due 20 working days later, now some 28 working days overdue
        overdue_start = today - timedelta(days=70)
        # due within the next five working days
        soon_start = today
        while cal.add_workdays(soon_start, 20)[0] > cal.add_workdays(today, 2)[0]:
            soon_start -= timedelta(days=1)
        admin = s.get(User, world.admin)
        for number, received in (("逾期-1", overdue_start), ("临期-1", soon_start), ("新收-1", today)):
            create_application(s, org_id=world.org_id, actor=admin,
                               data={"number": number, "channel": "online", "received_on": received,
                                     "applicant_type": "natural"})
        s.commit()
    page = client_for("admin").page("/").text
    failed_section = _section(page, "failed-channels")
    assert "公众号失败稿" in failed_section and "微信公众号" in failed_section
    assert "素材（media_id）无效" in failed_section and "invalid media_id" not in failed_section
    assert "紧急发布补审稿" in _section(page, "incomplete-reviews")
    apps = _section(page, "due-applications")
    assert "逾期-1" in apps and "已逾期" in apps and "临期-1" in apps and "即将到期" in apps
    assert "新收-1" not in apps
    recent = _section(page, "recent-publications")
    assert "公开栏已发稿" in recent and "公开栏：" in recent and "企业微信群（3）：" in recent
    assert "board：" not in recent and "定时待发稿" not in recent  # a scheduled item is not published yet
    assert "定时待发稿" in _section(page, "scheduled")


def test_admin_lists_page_in_sql(client_for, engine, world):
    with Session(engine) as s:
        for n in range(13):
            item = _item(s, world, f"失败稿{n:02d}")
            _pub(s, item, "portal", "failed", error="门户返回 500")
        s.commit()
    c = client_for("admin")
    first = _section(c.page("/").text, "failed-channels")
    assert "发布失败的渠道（13）" in first and len(re.findall(r"失败稿\d\d", first)) == 10
    assert "failed_page=2" in first
    second = _section(c.page("/?failed_page=2").text, "failed-channels")
    assert len(re.findall(r"失败稿\d\d", second)) == 3
    # a page number past the end shows the last page; garbage shows the first
    assert len(re.findall(r"失败稿\d\d", _section(c.page("/?failed_page=99").text, "failed-channels"))) == 3
    assert len(re.findall(r"失败稿\d\d", _section(c.page("/?failed_page=x").text, "failed-channels"))) == 10


def _deputy(engine, absent: int, deputy: int, *, hours: float = 8, starts_in_hours: float = -1) -> None:
    from content import accounts

    with Session(engine) as s:
        start = utcnow() + timedelta(hours=starts_in_hours)
        accounts.name_deputy(s, user=s.get(User, absent), deputy=s.get(User, deputy), starts_at=start,
                             ends_at=start + timedelta(hours=hours))
        s.commit()


def test_deputy_named_after_submission_sees_the_item_in_their_queue(client_for, engine, world):
    from tests.content.helpers import act, make_item

    item_id = make_item(engine, world.drafter, title="代理期间待审稿")
    act(engine, world.drafter, item_id, "submit")  # the dept_head step opens, listing head_a only
    c = client_for("head_b")
    assert "代理期间待审稿" not in _section(c.page("/").text, "pending-reviews")
    _deputy(engine, world.head_a, world.head_b)  # head_b stands in for head_a from now on
    queue = _section(c.page("/").text, "pending-reviews")
    assert "待我审核（1）" in queue and "代理期间待审稿" in queue and f"/items/{item_id}/review" in queue


def test_review_queue_matches_the_chain_rule_for_every_user(engine, world):
    """The SQL queue lists exactly the items `pending_reviews` (the chain's own rule, in Python) lists."""
    from content import credentials
    from content.review.permissions import pending_reviews
    from tests.content.helpers import act, make_item
    from web.pages.dashboard_lists import review_queue

    at_head = make_item(engine, world.drafter, title="部门负责人环节")
    act(engine, world.drafter, at_head, "submit")
    at_leader = make_item(engine, world.drafter, title="分管领导环节")
    act(engine, world.drafter, at_leader, "submit")
    act(engine, world.head_a, at_leader, "approve")
    dept_b = make_item(engine, world.drafter_b, title="经发办稿", sensitive=True)
    act(engine, world.drafter_b, dept_b, "submit")
    act(engine, world.head_b, dept_b, "approve")
    act(engine, world.leader_b, dept_b, "approve")  # at the principal gate
    edited = make_item(engine, world.drafter, title="负责人修改过的稿")
    act(engine, world.drafter, edited, "submit")
    with Session(engine) as s:  # head_a edits: back at the first gate, which its only holder (now an author) may not decide
        store.update_item(s, actor=s.get(User, world.head_a), item_id=edited, changes={"digest": "改"})
        s.commit()
    urgent = make_item(engine, world.drafter, title="紧急发布稿", sensitive=True)
    act(engine, world.drafter, urgent, "submit")
    act(engine, world.principal, urgent, "emergency_publish", reason="汛情紧急")  # head and leader approve late
    recalled = make_item(engine, world.drafter, title="撤回的稿")
    act(engine, world.drafter, recalled, "submit")
    act(engine, world.drafter, recalled, "recall")
    _deputy(engine, world.leader, world.head_b)  # head_b acts for the leader of 党政办 now
    _deputy(engine, world.head_a, world.drafter2, starts_in_hours=-10, hours=2)  # ended
    _deputy(engine, world.leader_b, world.drafter2, starts_in_hours=2)  # not yet begun
    with Session(engine) as s:
        credentials.deactivate(s, user=s.get(User, world.leader_b), actor=s.get(User, world.admin))
        s.commit()

    expected = {
        world.head_a: {at_head, urgent}, world.head_b: {at_leader, urgent}, world.leader: {at_leader, urgent},
        world.principal: {dept_b, urgent}, world.drafter2: set(), world.leader_b: set(), world.drafter: set(),
    }  # fmt: skip
    with Session(engine) as s:
        for user_id in (world.drafter, world.drafter2, world.drafter_b, world.head_a, world.head_b, world.leader,
                        world.leader_b, world.principal, world.admin):
            user = s.get(User, user_id)
            page = review_queue(s, user, 1)
            listed = {i.id for i in page.rows}
            assert listed == {i.id for i in pending_reviews(s, user=user)}, user.login
            assert page.total == len(listed)
            if user_id in expected:
                assert listed == expected[user_id], user.login


def test_review_queue_pages_in_sql(client_for, engine, world):
    from tests.content.helpers import act, make_item

    for n in range(12):
        act(engine, world.drafter, make_item(engine, world.drafter, title=f"排队稿{n:02d}"), "submit")
    c = client_for("head_a")
    first = _section(c.page("/").text, "pending-reviews")
    assert "待我审核（12）" in first and len(re.findall(r"排队稿\d\d", first)) == 10 and "queue_page=2" in first
    assert re.findall(r"排队稿\d\d", _section(c.page("/?queue_page=2").text, "pending-reviews")) == ["排队稿10", "排队稿11"]
