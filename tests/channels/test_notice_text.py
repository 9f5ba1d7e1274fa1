"""公开栏 notices build from any stored text (issue 14: control characters from Word in titles and bodies made
outputs fail): the A4 PDF renders whatever an old row holds, with the control characters left out."""

from __future__ import annotations

import io
from datetime import UTC, datetime

from hypothesis import given, settings
from hypothesis import strategies as st
from pypdf import PdfReader

from channels.board.pdf import NoticeData, render_html, render_pdf
from content.text_clean import has_bad_chars
from tests.content.test_text_clean import nasty, texts


@settings(max_examples=6, deadline=None)
@given(title=st.one_of(nasty, texts), body=st.one_of(nasty, texts))
def test_a_notice_renders_from_any_stored_text(title, body):
    data = NoticeData(title=f"通知{title}", issuer="测试镇人民政府", issued_on=datetime(2026, 5, 1, 8, tzinfo=UTC),
                      body_html=f"<p>{body}</p><p>正文结束</p>", link_url="https://gov.test/p/test-town/1")
    html = render_html(data)
    assert not has_bad_chars(html) and "正文结束" in html  # what WeasyPrint lays out holds no control characters
    pdf, pages = render_pdf(data)
    assert pages >= 1 and len(PdfReader(io.BytesIO(pdf)).pages) == pages
