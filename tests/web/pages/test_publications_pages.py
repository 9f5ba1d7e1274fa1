"""发布记录 page: per-channel rows with filters, retry of a failed channel, 撤稿 with a reason (both databases)."""

from __future__ import annotations

from sqlmodel import Session, select

from content.models import AuditEvent, Item, Publication
from tests.content.helpers import act, make_item


def _approved(engine, world) -> tuple[int, int, int]:
    """An item through the real chain (portal + mp); the portal row went out, the mp row failed."""
    item_id = make_item(engine, world.drafter, title="关于秋季征兵的公告")
    act(engine, world.drafter, item_id, "submit")
    act(engine, world.head_a, item_id, "approve")
    act(engine, world.leader, item_id, "approve")
    with Session(engine) as s:
        rows = {p.channel: p for p in s.exec(select(Publication).where(Publication.item_id == item_id))}
        portal, mp = rows["portal"], rows["mp"]
        portal.state, portal.remote_url, portal.attempts = "sent", "http://portal.test/art/123.html", 1
        mp.state, mp.last_error, mp.attempts = "failed", "公众号接口返回 45009：接口调用超过限制", 5
        s.add_all([portal, mp])
        s.commit()
        return item_id, portal.id, mp.id


def _events(engine, target_type: str, target_id: int) -> list[AuditEvent]:
    with Session(engine) as s:
        return list(s.exec(select(AuditEvent).where(AuditEvent.target_type == target_type,
                                                    AuditEvent.target_id == target_id).order_by(AuditEvent.id)))


def _pub(engine, pub_id: int) -> Publication:
    with Session(engine) as s:
        return s.get(Publication, pub_id)


def test_list_shows_state_labels_errors_urls_and_filters(client_for, engine, world):
    item_id, portal_id, mp_id = _approved(engine, world)
    drafter = client_for("drafter")
    page = drafter.page("/publications")
    assert page.status_code == 200
    assert 'href="/publications"' in page.text and "发布记录" in page.text  # the nav entry now shows
    assert "关于秋季征兵的公告" in page.text and "已发送" in page.text and "失败" in page.text
    assert "接口调用超过限制" in page.text and "http://portal.test/art/123.html" in page.text
    assert f'id="btn-retry-{mp_id}"' in page.text and f'id="btn-retry-{portal_id}"' not in page.text
    failed = drafter.page("/publications?state=failed")
    assert f'id="pub-{mp_id}"' in failed.text and f'id="pub-{portal_id}"' not in failed.text
    portal = drafter.page("/publications?channel=portal")
    assert f'id="pub-{portal_id}"' in portal.text and f'id="pub-{mp_id}"' not in portal.text
    nothing = drafter.page("/publications?state=withdrawn")
    assert "没有符合条件的发布记录" in nothing.text
    # another department's drafter sees none of it
    other = client_for("drafter_b").page("/publications")
    assert "关于秋季征兵的公告" not in other.text


def test_drafter_retries_a_failed_channel(client_for, engine, world):
    item_id, portal_id, mp_id = _approved(engine, world)
    drafter = client_for("drafter")
    drafter.page("/publications?state=failed")
    r = drafter.submit(f"/publications/{mp_id}/retry?state=failed")
    assert r.status_code == 303 and r.headers["location"] == "/publications?state=failed&done=retry"
    row = _pub(engine, mp_id)
    assert row.state == "pending" and row.attempts == 0
    [event] = _events(engine, "publication", mp_id)
    assert event.action == "publication.retry" and event.actor_id == world.drafter
    assert event.data["previous_error"].startswith("公众号接口返回 45009")
    # only a failed row can be resent: the message shows inline, nothing changes
    again = drafter.submit(f"/publications/{mp_id}/retry")
    assert again.status_code == 409 and "只有发送失败的渠道可以重新发送" in again.text
    sent = drafter.submit(f"/publications/{portal_id}/retry")
    assert sent.status_code == 409 and _pub(engine, portal_id).state == "sent"
    assert len(_events(engine, "publication", mp_id)) == 1


def test_retry_by_someone_else_is_a_403_page(client_for, engine, world):
    _item_id, _portal_id, mp_id = _approved(engine, world)
    colleague = client_for("drafter2")  # same department: sees the row, may not resend it
    page = colleague.page("/publications")
    assert f'id="pub-{mp_id}"' in page.text and f'id="btn-retry-{mp_id}"' not in page.text
    r = colleague.submit(f"/publications/{mp_id}/retry")
    assert r.status_code == 403 and "<html" in r.text and "只有拟稿人或政务公开专员可以重新发送" in r.text
    assert _pub(engine, mp_id).state == "failed" and _events(engine, "publication", mp_id) == []
    admin = client_for("admin")
    admin.page("/publications")
    assert admin.submit(f"/publications/{mp_id}/retry").status_code == 303
    assert _pub(engine, mp_id).state == "pending"


def test_withdraw_needs_a_reason_and_the_right_person(client_for, engine, world):
    item_id, portal_id, mp_id = _approved(engine, world)
    drafter = client_for("drafter")
    page = drafter.page("/publications")
    assert f'id="btn-withdraw-{item_id}"' not in page.text
    r = drafter.submit(f"/publications/items/{item_id}/withdraw", {"reason": "数据有误"})
    assert r.status_code == 403 and "<html" in r.text

    leader = client_for("leader")
    page = leader.page("/publications")
    assert f'id="btn-withdraw-{item_id}"' in page.text
    before = len(_events(engine, "item", item_id))
    r = leader.submit(f"/publications/items/{item_id}/withdraw", {"reason": "   "})
    assert r.status_code == 422 and "请填写撤稿理由" in r.text and 'class="field-error"' in r.text
    with Session(engine) as s:
        assert s.get(Item, item_id).state == "approved"
    assert _pub(engine, portal_id).state == "sent" and len(_events(engine, "item", item_id)) == before

    r = leader.submit(f"/publications/items/{item_id}/withdraw", {"reason": "<script>x</script>公告内容有误"})
    assert r.status_code == 303 and r.headers["location"] == "/publications?done=withdraw"
    with Session(engine) as s:
        assert s.get(Item, item_id).state == "withdrawn"
    assert _pub(engine, portal_id).state == "withdraw_pending"  # the scheduler deletes it remotely
    assert _pub(engine, mp_id).state == "cancelled"  # never went out
    event = _events(engine, "item", item_id)[-1]
    assert event.action == "item.withdraw" and event.actor_id == world.leader
    done = leader.page("/publications?done=withdraw")
    assert "撤回中" in done.text and "已取消" in done.text and "已撤稿" in done.text


def test_item_filter_lists_one_items_channels_and_the_dashboard_links_to_it(client_for, engine, world):
    item_id, portal_id, mp_id = _approved(engine, world)
    other_id, other_portal, other_mp = _approved(engine, world)
    admin = client_for("admin")
    handle = f'href="/publications?item={item_id}#pub-{mp_id}"'
    assert handle in admin.page("/").text  # 处理 on the dashboard's failed channel
    page = admin.page(f"/publications?item={item_id}").text
    assert f'id="pub-{mp_id}"' in page and f'id="pub-{portal_id}"' in page
    assert f'id="pub-{other_mp}"' not in page and f'id="pub-{other_portal}"' not in page
    assert 'id="item-filter"' in page and f'href="/items/{item_id}"' in page
    assert f'<input type="hidden" name="item" value="{item_id}">' in page  # kept when filtering by state
    failed_only = admin.page(f"/publications?item={item_id}&state=failed").text
    assert f'id="pub-{mp_id}"' in failed_only and f'id="pub-{portal_id}"' not in failed_only
    assert f'id="pub-{other_mp}"' not in failed_only
    # a retry from the filtered list comes back to the same filtered list
    r = admin.submit(f"/publications/{mp_id}/retry?item={item_id}")
    assert r.status_code == 303 and f"item={item_id}" in r.headers["location"]
    # garbage in the filter is ignored; another department's drafter learns nothing about the item
    assert f'id="pub-{other_mp}"' in admin.page("/publications?item=abc").text
    hidden = client_for("drafter_b").page(f"/publications?item={item_id}").text
    assert "关于秋季征兵的公告" not in hidden and "没有符合条件的发布记录" in hidden
