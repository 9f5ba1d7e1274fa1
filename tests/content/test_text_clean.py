"""Control characters: stripped at input, and every output builds from whatever text is stored (issue 14).

The hypothesis test writes item rows straight into the database (as rows from before input cleaning
are) and renders the public feeds, the report DOCX and the 两馆 export's index.xlsx from them.
"""

from __future__ import annotations

import io
import zipfile
from datetime import UTC, datetime
from xml.etree.ElementTree import fromstring

import pytest
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlmodel import Session, select

from app.factory import create_app
from content import store
from content.models import Item, User
from content.settings import Settings
from content.text_clean import clean_item_input, clean_text, has_bad_chars, xml_text
from tests.web.api.conftest import Api
from tests.web.api.util import item_body

# What a database can hold (UTF-8: no lone surrogates; those are dropped at input, see the first test).
WORD_JUNK = "\x0b\x01\x0c\x00\x1f\x7f\ufffe\uffff"
texts = st.text(alphabet=st.characters(exclude_categories=("Cs",)), max_size=80)
nasty = st.lists(st.sampled_from(list(WORD_JUNK) + ["标题", "<b>&amp;</b>", "]]>", "\n", " ", "a"]),
                 max_size=20).map("".join)


def test_clean_text_keeps_words_and_breaks_only():
    assert clean_text("第一行\x0b第二行\x01") == "第一行\n第二行"
    assert clean_text("关于\x0b召开\x00会议\t的通知\n", single_line=True) == "关于 召开会议 的通知 "
    assert not has_bad_chars(xml_text("a\ud800b\ufffe\x1f"))
    cleaned = clean_item_input({"title": "标题\x0b", "digest": "摘\x01要", "body_html": "<p>正\x0b文</p>",
                                "attachments": [{"name": "附\x01件", "url": "https://example.org/a.pdf"}]})
    assert cleaned == {"title": "标题 ", "digest": "摘要", "body_html": "<p>正\n文</p>",
                       "attachments": [{"name": "附件", "url": "https://example.org/a.pdf"}]}


@pytest.fixture
def client(engine, db_url, tmp_path):
    app = create_app(Settings(database_url=db_url, secret_key="test-secret-key-text", files_dir=str(tmp_path / "f")),
                     engine=engine)
    with TestClient(app, raise_server_exceptions=False) as c:
        yield c


def test_api_and_store_strip_control_characters_at_input(client, engine, world):
    api = Api(client, world.password)
    r = api.as_("drafter").post("/api/v1/items", json=item_body(title="关于\x0b召开\x01会议的通知",
                                                                   body_html="<p>正文\x0b第二行</p>"))
    assert r.status_code == 201, r.text
    item_id = r.json()["id"]
    with Session(engine) as s:
        item = s.get(Item, item_id)
        assert item.title == "关于 召开会议的通知" and not has_bad_chars(item.body_html)
        store.update_item(s, actor=s.get(User, world.drafter), item_id=item_id, changes={"digest": "摘\x01要"})
        s.commit()
        assert s.get(Item, item_id).digest == "摘要"


def _published_row(session: Session, world, n: int, title: str, body: str) -> None:
    if session.get_bind().dialect.name == "postgresql":  # PostgreSQL text cannot hold NUL at all
        title, body = title.replace("\x00", ""), body.replace("\x00", "")
    when = datetime(2024, 5, 1 + n % 27, 8, tzinfo=UTC)
    session.add(Item(org_id=world.org_id, department_id=world.dept_a, drafter_id=world.drafter, title=title,
                     digest=title[:20], author=body[:10], body_html=f"<p>{body}</p>", channels=["portal"],
                     state="published", published_at=when, publish_at=when, created_at=when, updated_at=when))


@settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(titles=st.lists(st.one_of(nasty, texts), min_size=1, max_size=3), body=st.one_of(nasty, texts))
def test_every_output_builds_from_any_stored_text(client, engine, world, tmp_path, titles, body):
    from annual.export import export_zip
    from annual.registers.models import ReportText
    from annual.report.build import build_report
    from annual.report.docx_render import to_docx

    with Session(engine) as s:
        for n, title in enumerate(titles):
            _published_row(s, world, n, title or "空", body)
        text = s.exec(select(ReportText).where(ReportText.org_id == world.org_id, ReportText.year == 2024)).first()
        text = text or ReportText(org_id=world.org_id, year=2024)
        text.overview, text.problems = f"概述{titles[0]}", body
        if s.get_bind().dialect.name == "postgresql":
            text.overview, text.problems = text.overview.replace("\x00", ""), body.replace("\x00", "")
        s.add(text)
        s.commit()
    for fmt in ("atom", "rss"):
        r = client.get(f"/feeds/test-town.{fmt}")
        assert r.status_code == 200
        fromstring(r.content)  # well-formed XML, whatever the titles hold
    assert client.get("/feeds/test-town.json").status_code == 200
    with Session(engine) as s:
        docx = to_docx(build_report(s, org_id=world.org_id, year=2024))
        assert zipfile.ZipFile(io.BytesIO(docx)).testzip() is None
        out = tmp_path / "export.zip"
        assert export_zip(s, org_id=world.org_id, year=2024, month=None, out=out) >= len(titles)
    from openpyxl import load_workbook

    with zipfile.ZipFile(out) as zf:
        index = next(n for n in zf.namelist() if n.endswith("index.xlsx"))
        rows = list(load_workbook(io.BytesIO(zf.read(index))).active.iter_rows(values_only=True))
    assert len(rows) >= len(titles) + 1


def test_bot_commands_and_registers_clean_their_text():
    from annual.registers.validate import as_text
    from bot.commands.parse import normalize

    assert normalize("驳回 3 数据\x01有误\x0b请改") == "驳回 3 数据有误 请改"
    assert as_text("网上调查\x0b问卷\x01", "标题", 100) == "网上调查\n问卷"
