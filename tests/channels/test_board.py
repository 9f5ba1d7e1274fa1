"""Bulletin-board notices: the PDF read back (title, date, QR payload), pagination, the print queue."""

from __future__ import annotations

import io
from datetime import UTC, datetime

import pypdf
import pytest
import zxingcpp
from PIL import Image
from sqlmodel import Session, select

from channels.base import ChannelRegistry
from channels.board import notices as board
from channels.board.board import BoardChannel
from channels.board.pdf import NoticeData, render_pdf
from channels.links import item_link
from content.errors import Conflict, Invalid
from content.models import AuditEvent, Publication, User
from content.models.channel_targets import BoardNotice
from scheduler.dispatch import dispatch_once
from scheduler.withdraw import process_withdrawals
from tests.channels.helpers import act, approved_item, outbox_cfg, publications

LINK = "http://gov.test/p/test-town/42"
ISSUED = datetime(2026, 3, 5, 2, 0, tzinfo=UTC)  # 2026-03-05 10:00 in Shanghai


def _read(pdf: bytes) -> tuple[list[str], list[str]]:
    """(text of every page, distinct QR payloads decoded from the PDF's images)."""
    reader = pypdf.PdfReader(io.BytesIO(pdf))
    texts = [page.extract_text() for page in reader.pages]
    payloads = []
    for page in reader.pages:
        for image in page.images:
            payloads += [b.text for b in zxingcpp.read_barcodes(Image.open(io.BytesIO(image.data)))]
    return texts, sorted(set(payloads))


def test_notice_pdf_reads_back_title_date_issuer_and_qr():
    pdf, pages = render_pdf(NoticeData("关于春季森林防火的通告", "测试镇党政办", ISSUED,
                                       "<p>严禁野外用火。</p>", LINK))
    texts, payloads = _read(pdf)
    assert pdf.startswith(b"%PDF") and pages == 1 == len(texts)
    flat = texts[0].replace("\n", "")
    assert "关于春季森林防火的通告" in flat and "2026年3月5日" in flat and "测试镇党政办" in flat
    assert "严禁野外用火" in flat
    assert payloads == [LINK]
    mediabox = pypdf.PdfReader(io.BytesIO(pdf)).pages[0].mediabox
    assert (round(float(mediabox.width)), round(float(mediabox.height))) == (595, 842)  # A4 in points


def test_a_long_text_is_paginated():
    body = "".join(f"<p>第{n}条：村务公开栏应当及时更新，接受群众监督，做到真实、准确、完整。</p>" for n in range(1, 121))
    pdf, pages = render_pdf(NoticeData("关于规范村务公开的通知", "测试镇党政办", ISSUED, body, LINK))
    texts, payloads = _read(pdf)
    assert pages == len(texts) > 2
    joined = "".join(t.replace("\n", "") for t in texts)
    assert "第1条" in joined and "第120条" in joined
    assert f"共 {pages} 页" in texts[0]
    assert payloads == [LINK]


@pytest.mark.parametrize("body", ["", "<p> </p><p>&nbsp;</p>", '<p><img src="http://img.test/a.png"></p>'])
def test_no_printable_body_still_yields_title_and_qr(body):
    pdf, pages = render_pdf(NoticeData("图片新闻：春耕现场", "测试镇党政办", ISSUED, body, LINK))
    texts, payloads = _read(pdf)
    assert pages == 1 and "图片新闻：春耕现场" in texts[0] and payloads == [LINK]


def _registry(engine) -> ChannelRegistry:
    return ChannelRegistry([BoardChannel(engine, public_url="http://gov.test")])


def test_board_publication_queues_a_notice_and_the_print_queue_records_it(engine, world):
    item_id = approved_item(engine, world, channels=["board"])
    dispatch_once(engine, _registry(engine), outbox_cfg())
    [pub] = publications(engine, item_id)
    assert pub.state == "confirmed" and pub.remote_id.startswith("notice:")
    with Session(engine) as s:
        [notice] = board.list_notices(s, org_id=world.org_id, open_only=True)
        assert notice.state == "to_post" and notice.link_url == f"http://gov.test/p/test-town/{item_id}"
        _, pdf = board.notice_pdf(s, org_id=world.org_id, notice_id=notice.id)
        assert _read(pdf)[1] == [notice.link_url]
        admin = s.get(User, world.admin)
        with pytest.raises(Invalid):
            board.mark_posted(s, actor=admin, notice_id=notice.id, location=" ")
        board.mark_posted(s, actor=admin, notice_id=notice.id, location="镇政府一楼大厅公开栏")
        s.commit()
        with pytest.raises(Conflict):
            board.mark_posted(s, actor=admin, notice_id=notice.id, location="又一处")
    # withdrawal: the posted notice becomes a take-down task, then is recorded as taken down
    act(engine, world.leader, item_id, "withdraw", reason="信息有误")
    process_withdrawals(engine, _registry(engine), outbox_cfg())
    with Session(engine) as s:
        notice = s.exec(select(BoardNotice)).one()
        assert notice.state == "to_take_down" and notice.location == "镇政府一楼大厅公开栏"
        assert s.get(Publication, pub.id).state == "withdrawn"
        board.mark_taken_down(s, actor=s.get(User, world.admin), notice_id=notice.id)
        s.commit()
        notice = s.exec(select(BoardNotice)).one()
        assert notice.state == "taken_down" and notice.taken_down_by == world.admin and notice.posted_at
        actions = list(s.exec(select(AuditEvent.action).where(AuditEvent.target_type == "board_notice")
                                  .order_by(AuditEvent.id)))
        assert actions == ["notice.create", "notice.posted", "notice.withdraw", "notice.taken_down"]


def test_the_link_waits_for_the_portal_page_and_falls_back_to_our_own_page(engine, world):
    item_id = approved_item(engine, world, channels=["portal", "board"])
    with Session(engine) as s:
        assert item_link(s, item_id=item_id, public_url="http://gov.test") is None  # portal still pending
        portal = s.exec(select(Publication).where(Publication.channel == "portal")).one()
        portal.state, portal.remote_url = "confirmed", "https://portal.test/art/2026/1.html"
        s.add(portal)
        s.commit()
        assert item_link(s, item_id=item_id, public_url="http://gov.test") == "https://portal.test/art/2026/1.html"
        portal.state = "failed"
        s.add(portal)
        s.commit()
        assert item_link(s, item_id=item_id, public_url="http://gov.test/") == f"http://gov.test/p/test-town/{item_id}"
