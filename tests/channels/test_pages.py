"""The robot settings page and the print-queue page, through the real web UI (login, CSRF)."""

from __future__ import annotations

import io

import pypdf
from sqlmodel import Session, select

from channels.base import ChannelRegistry
from channels.board.board import BoardChannel
from content.models.channel_targets import BoardNotice, RobotGroup
from scheduler.dispatch import dispatch_once
from tests.channels.helpers import approved_item, outbox_cfg

GOOD = "https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=693a91f6-7a1b-4bc4-97a0-0ec2a1fa5aaa"


def test_admin_manages_robots_and_bad_urls_are_refused(engine, world, staff_client):
    admin = staff_client("admin")
    page = admin.page("/settings/channels")
    assert page.status_code == 200 and "添加群机器人" in page.text
    bad = admin.submit("/settings/channels/robots", {"name": "东村网格群", "webhook_url": "https://example.com/x"})
    assert bad.status_code == 422 and "不是企业微信群机器人地址" in bad.text
    ok = admin.submit("/settings/channels/robots", {"name": "东村网格群", "webhook_url": GOOD, "msg_type": "news"})
    assert ok.status_code == 303
    page = admin.page("/settings/channels")
    assert "东村网格群" in page.text and "****5aaa" in page.text and "0ec2a1fa5aaa" not in page.text
    with Session(engine) as s:
        robot = s.exec(select(RobotGroup)).one()
    dup = admin.submit("/settings/channels/robots", {"name": "东村网格群", "webhook_url": GOOD})
    assert dup.status_code == 409
    renamed = admin.submit(f"/settings/channels/robots/{robot.id}", {"name": "东村一组", "msg_type": "markdown"})
    assert renamed.status_code == 303
    assert admin.submit(f"/settings/channels/robots/{robot.id}", {"name": "x", "delete": "1"}).status_code == 303
    with Session(engine) as s:
        robot = s.get(RobotGroup, robot.id)
        assert (robot.name, robot.msg_type, robot.active) == ("东村一组", "markdown", False)
    assert staff_client("drafter").page("/settings/channels").status_code == 403


def test_print_queue_records_who_posted_where(engine, world, staff_client):
    approved_item(engine, world, channels=["board"], title="关于征兵报名的通告")
    dispatch_once(engine, ChannelRegistry([BoardChannel(engine, public_url="http://gov.test")]), outbox_cfg())
    with Session(engine) as s:
        notice = s.exec(select(BoardNotice)).one()
    clerk = staff_client("drafter2")
    page = clerk.page("/notices")
    assert "关于征兵报名的通告" in page.text and "待张贴" in page.text
    pdf = clerk.get(f"/notices/{notice.id}.pdf")
    assert pdf.headers["content-type"] == "application/pdf"
    assert "关于征兵报名的通告" in pypdf.PdfReader(io.BytesIO(pdf.content)).pages[0].extract_text()
    assert clerk.submit(f"/notices/{notice.id}/posted", {"location": ""}).status_code == 422
    assert clerk.submit(f"/notices/{notice.id}/posted", {"location": "镇政府一楼大厅"}).status_code == 303
    page = clerk.page("/notices")
    assert "镇政府一楼大厅" in page.text and "drafter2" in page.text
    assert clerk.post(f"/notices/{notice.id}/taken-down", data={"csrf_token": "forged"}).status_code in (400, 403)
    with Session(engine) as s:
        notice = s.get(BoardNotice, notice.id)
        assert notice.state == "posted" and notice.posted_by == world.drafter2 and notice.location == "镇政府一楼大厅"
