"""A 公开栏 notice prints its sign-off (落款) once: a body written as 公文 keeps its own, others get one."""

from __future__ import annotations

import io
import re
from datetime import UTC, datetime

import pypdf
from sqlmodel import Session

from channels.base import ChannelRegistry
from channels.board import notices as board
from channels.board.board import BoardChannel
from channels.board.pdf import NoticeData, has_own_signoff, render_pdf
from scheduler.dispatch import dispatch_once
from tests.channels.helpers import approved_item, outbox_cfg, publications

LINK = "http://gov.test/p/test-town/42"
ISSUED = datetime(2026, 3, 5, 2, 0, tzinfo=UTC)  # 2026-03-05 in Shanghai


def _text(pdf: bytes) -> str:
    return "".join(p.extract_text() for p in pypdf.PdfReader(io.BytesIO(pdf)).pages).replace("\n", "")


def test_body_with_its_own_signoff_is_not_signed_again():
    body = "<p>严禁野外用火。</p><p>测试镇人民政府</p><p>2026年3月4日</p>"
    pdf, _ = render_pdf(NoticeData("关于春季森林防火的通告", "测试镇人民政府党政办", ISSUED, body, LINK,
                                   signers=("测试镇人民政府", "党政办")))
    text = _text(pdf)
    assert text.count("测试镇人民政府") == 2  # the running header (…公开栏) and the body's own 落款
    assert "测试镇人民政府党政办" + "2026年3月5日" not in text and "2026年3月5日" not in text
    assert text.count("2026年3月4日") == 1


def test_body_without_signoff_gets_one():
    pdf, _ = render_pdf(NoticeData("通告", "测试镇党政办", ISSUED, "<p>严禁野外用火。</p>", LINK))
    text = _text(pdf)
    assert text.count("2026年3月5日") == 1 and "测试镇党政办2026年3月5日" in text


def test_signoff_detection():
    names = ("示例镇人民政府",)
    assert has_own_signoff("<p>正文。</p><p>示例镇人民政府</p><p>二〇二六年三月一日</p>", names)
    assert has_own_signoff("<p>正文。</p><p style='text-align:right'>2026年3月1日</p><p>（联系电话：1234）</p>", ())
    assert not has_own_signoff("<p>会议定于2026年3月1日召开，请示例镇人民政府各部门准时参加，不得缺席。</p>", names)
    assert not has_own_signoff("<p>请大家注意防火安全。</p>", names)


def test_board_notice_of_a_signed_item_prints_one_signoff(engine, world):
    body = "<p>严禁野外用火。</p><p>测试镇</p><p>2026年3月4日</p>"  # the org is 测试镇, its department 党政办
    item_id = approved_item(engine, world, channels=["board"], body_html=body)
    dispatch_once(engine, ChannelRegistry([BoardChannel(engine, public_url="http://gov.test")]), outbox_cfg())
    [pub] = publications(engine, item_id)
    assert pub.state == "confirmed"
    with Session(engine) as s:
        [notice] = board.list_notices(s, org_id=world.org_id, open_only=True)
        _, pdf = board.notice_pdf(s, org_id=world.org_id, notice_id=notice.id)
    after_body = _text(pdf).split("严禁野外用火")[1]
    assert after_body.count("2026年3月4日") == 1
    assert len(re.findall(r"\d{4}年\d{1,2}月\d{1,2}日", after_body)) == 1  # no second, generated date
    assert after_body.count("测试镇党政办") == 1 and "测试镇党政办公开栏" in after_body  # only the running header


def test_org_name_and_date_on_one_line_is_a_signoff():
    """Issue 21 walk, 13c: a body closing with "示例镇人民政府  2026年12月6日" (one line, as an imported
    Word notice does) got a second 落款 of the department and the date."""
    names = ("示例镇人民政府党政综合办公室", "示例镇人民政府", "党政综合办公室")
    assert has_own_signoff("<p>正文。</p><p>示例镇人民政府  2026年12月6日</p>", names)
    assert has_own_signoff("<p>正文。</p><p>党政综合办公室 二〇二六年十二月六日</p>", names)
    assert not has_own_signoff("<p>示例镇人民政府定于2026年12月6日召开全镇安全生产工作会议，请各村准时参加。</p>",
                               names)
    body = "<p>严禁野外用火。</p><p>测试镇人民政府  2026年3月4日</p>"
    pdf, _ = render_pdf(NoticeData("关于春季森林防火的通告", "测试镇人民政府党政办", ISSUED, body, LINK,
                                   signers=("测试镇人民政府", "党政办")))
    text = _text(pdf)
    assert "2026年3月5日" not in text and text.count("2026年3月4日") == 1
