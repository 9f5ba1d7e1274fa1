"""Links kept from input are http/https or our own files; templates never emit anything else (issue 14)."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from sqlmodel import Session, select

from content.errors import Invalid
from content.importer import import_rows
from content.models import Item
from content.urls import clean_source_url, is_safe_link, safe_href
from tests.web.api.util import item_body, snapshot

API = "/api/v1/items"
BAD_LINKS = ["javascript:alert(document.cookie)", " JavaScript:alert(1)", "data:text/html,<script>1</script>",
             "vbscript:msgbox", "file:///etc/passwd", "//evil.example/x", "http://a.example/\" onmouseover=\"x",
             "https://", "java\tscript:alert(1)"]


@pytest.mark.parametrize("link", BAD_LINKS)
def test_the_rule(link):
    assert not is_safe_link(link) and safe_href(link) == "#"
    with pytest.raises(Invalid) as exc:
        clean_source_url(link)
    assert exc.value.code == "invalid_url" and exc.value.status == 422 and "http" in exc.value.message


def test_good_links_pass():
    for link in ("https://www.gov.cn/zhengce/content/2024-01/01/content_1.htm", "http://10.0.0.1/a?b=1",
                 "/files/" + "a" * 64):
        assert is_safe_link(link) and safe_href(link) == link
    assert clean_source_url("  ") is None and clean_source_url(None) is None


def test_api_refuses_script_links_with_422_and_changes_nothing(api, engine):
    before = snapshot(engine)
    for link in ("javascript:alert(document.cookie)", "data:text/html,x"):
        r = api.as_("drafter").post(API, json=item_body(origin="repost", source_url=link))
        assert r.status_code == 422 and r.json()["code"] == "invalid_url", r.text
        assert "链接" in r.json()["message"]
    assert snapshot(engine) == before
    item_id = api.as_("drafter").post(API, json=item_body(origin="repost",
                                                           source_url="https://www.gov.cn/a.htm")).json()["id"]
    r = api.as_("drafter").patch(f"{API}/{item_id}", json={"source_url": "javascript:alert(1)"})
    assert r.status_code == 422 and r.json()["code"] == "invalid_url"
    with Session(engine) as s:
        assert s.get(Item, item_id).source_url == "https://www.gov.cn/a.htm"


def test_importer_refuses_script_links_and_imports_nothing(engine, world):
    header = ["发布日期", "渠道", "栏目", "目录领域", "来源", "标题", "链接"]
    rows = [header, ["2024-03-01", "门户网站", "", "", "转载", "好的一行", "https://www.gov.cn/a.htm"],
            ["2024-03-02", "门户网站", "", "", "转载", "坏的一行", "javascript:alert(1)"]]
    with Session(engine) as s:
        with pytest.raises(Invalid) as exc:
            import_rows(s, org_id=world.org_id, rows=rows)
        assert exc.value.code == "import_rows_invalid" and exc.value.data["rows"][0]["row"] == 3
        s.rollback()
        assert s.exec(select(Item)).all() == []


def test_public_page_never_emits_a_stored_script_link(client, engine, world):
    """A row written before the rule (straight into the database) still renders a harmless href."""
    when = datetime(2024, 5, 1, 8, tzinfo=UTC)
    with Session(engine) as s:
        item = Item(org_id=world.org_id, department_id=world.dept_a, drafter_id=world.drafter, title="旧转载稿",
                    body_html="<p>正文</p>", channels=["portal"], origin="repost",
                    source_url="javascript:alert(document.cookie)",
                    attachments=[{"name": "附件", "url": "javascript:alert(2)"}],
                    state="published", published_at=when, publish_at=when, created_at=when, updated_at=when)
        s.add(item)
        s.commit()
        item_id = item.id
    page = client.get(f"/p/test-town/{item_id}")
    assert page.status_code == 200 and "旧转载稿" in page.text
    assert "javascript:" not in page.text and 'href="#"' in page.text
