"""Word paste through the sanitizer: bold stays where it was, tables keep borders, CSS values are checked."""

from __future__ import annotations

import re

from sqlmodel import Session, select

from content.html import sanitize
from content.models import Category, Item

PASTED = '<span style="font-family:仿宋">为切实做好<b>冬季安全生产</b>工作。</span>'
WORD_TABLE = ('<table class="MsoTableGrid" border="1" cellspacing="0" cellpadding="0" style="border-collapse:collapse;'
              'border:none;mso-border-alt:solid windowtext .5pt"><tr><td width="284" valign="top" style="width:'
              '213.05pt;border:solid windowtext 1.0pt;padding:0cm 5.4pt 0cm 5.4pt"><p>村名</p></td>'
              '<td style="border:solid windowtext 1.0pt;border-left:none;padding:0cm 5.4pt"><p>责任人</p></td></tr></table>')
EDITOR_TABLE = ('<table style="width: auto;"><tbody><tr><th colSpan="1" rowSpan="1" width="auto">村名</th></tr>'
                '<tr><td colSpan="1" rowSpan="1" width="auto">一村</td></tr></tbody></table>')


def test_bold_stays_on_the_words_that_were_bold():
    out = sanitize(f"<p>{PASTED}</p>")
    assert out == f"<p>{PASTED}</p>"
    assert re.findall(r"<b>(.*?)</b>", out) == ["冬季安全生产"]


def test_tables_keep_or_get_borders():
    word = sanitize(WORD_TABLE)
    assert 'border="1"' in word and "border-collapse:collapse" in word
    assert "border:solid windowtext 1.0pt;border-left:none" in word  # Word's own borders kept
    assert "mso-" not in word
    editor = sanitize(EDITOR_TABLE)  # what wangEditor hands back: no borders at all
    assert 'style="width: auto;border-collapse:collapse"' in editor or "border-collapse:collapse" in editor
    assert len(re.findall(r'<t[hd] style="border:1px solid #000"', editor)) == 2
    layout = sanitize('<table><tr><td style="border:none">版式</td></tr></table>')
    assert '<td style="border:none">' in layout  # a cell that says no border keeps saying so
    for html in (word, editor, layout):
        assert sanitize(html) == html  # idempotent: saving again changes nothing (no new revision)


def test_css_values_are_checked_not_only_property_names():
    out = sanitize('<p style="width:expression(alert(1));color:red;font-family:url(javascript:x)">a</p>'
                   '<table border="1 onclick=alert(1)" cellpadding="x"><tr><td>b</td></tr></table>'
                   '<span style="color:rgb(255, 0, 0);font-size:16pt;text-indent:2em">c</span>')
    assert "expression" not in out and "url(" not in out and "onclick" not in out
    assert '<p style="color:red">' in out and 'cellpadding' not in out
    assert 'style="color:rgb(255, 0, 0);font-size:16pt;text-indent:2em"' in out


def test_previews_show_the_table_borders(client_for, engine):
    c = client_for("drafter")
    c.page("/items/new")
    with Session(engine) as s:
        topic = s.exec(select(Category).where(Category.taxonomy == "topic", Category.name == "其他")).one().id
    r = c.submit("/items/new", {"title": "名单", "body_html": EDITOR_TABLE, "topic_id": str(topic),
                                "channels": ["portal", "mp"], "intent": "save"})
    assert r.status_code == 303
    with Session(engine) as s:
        item = s.exec(select(Item)).one()
        assert "border:1px solid #000" in item.body_html
    for kind in ("portal", "mp"):
        page = c.page(f"/items/{item.id}/preview/{kind}")
        assert page.status_code == 200 and "border:1px solid #000" in page.text, kind
