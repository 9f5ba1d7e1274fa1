"""Historical import (all or nothing, every bad row named) and the 两馆 export ZIP."""

from __future__ import annotations

import base64
import zipfile
from io import BytesIO

import pytest
from openpyxl import Workbook, load_workbook
from sqlmodel import Session, func, select
from typer.testing import CliRunner

from annual.tally import tally
from app.cli import cli
from content.errors import Invalid
from content.importer import import_rows
from content.models import Item, Publication, Revision

HEADER = ["发布日期", "渠道", "栏目", "目录领域", "来源", "标题", "链接"]


def _count(s, model):
    return s.exec(select(func.count()).select_from(model)).one()


def test_bad_rows_are_all_listed_and_nothing_is_written(engine, world):
    rows = [HEADER,
            ["2023-05-01", "门户网站", "科教文体卫生", "义务教育", "原创", "好的一行", ""],
            ["2023-05-02", "门户网站", "没有这个栏目", "", "原创", "栏目不对", ""],
            ["1899-05-02", "门户网站", "其他", "", "原创", "日期荒唐", ""],
            ["2023-05-03", "传真", "其他", "", "原创", "渠道不对", ""],
            ["2023-05-04", "门户网站", "其他", "月球", "原创", "领域不对", ""]]
    with Session(engine) as s:
        with pytest.raises(Invalid) as err:
            import_rows(s, org_id=world.org_id, rows=rows)
        s.rollback()
        assert [r["row"] for r in err.value.data["rows"]] == [3, 4, 5, 6]
        reasons = " ".join(r["reason"] for r in err.value.data["rows"])
        assert "未知栏目：没有这个栏目" in reasons and "日期超出合理范围" in reasons
        assert "未知渠道：传真" in reasons and "未知目录领域：月球" in reasons
        assert _count(s, Item) == 0 and _count(s, Publication) == 0


def test_xlsx_import_is_counted_by_the_tally(engine, world, db_url, tmp_path, monkeypatch):
    wb = Workbook()
    ws = wb.active
    ws.append(HEADER)
    ws.append(["2023-03-05", "门户网站、微信公众号", "科教文体卫生", "义务教育", "原创", "开学通知", "https://x.gov.cn/1"])
    ws.append(["2023-04-05", "微信公众号", "其他", "", "转载", "转发", ""])
    path = tmp_path / "old.xlsx"
    wb.save(path)
    monkeypatch.setenv("GONGKAI_DATABASE_URL", db_url)
    result = CliRunner().invoke(cli, ["import", str(path), "--department", "经济发展办"])
    assert result.exit_code == 0, result.output
    again = CliRunner().invoke(cli, ["import", str(path)])  # the same rows again: duplicates, nothing written
    assert again.exit_code == 2 and "重复" in again.output
    with Session(engine) as s:
        items = s.exec(select(Item).order_by(Item.id)).all()
        assert [(i.state, i.imported, i.department_id) for i in items] == [("published", True, world.dept_b)] * 2
        assert _count(s, Revision) == 2
        assert s.exec(select(Publication.channel, Publication.state).order_by(Publication.id)).all() == [
            ("mp", "confirmed"), ("portal", "confirmed"), ("mp", "confirmed")]
        t = tally(s, org_id=world.org_id, year=2023)
    assert t["items"]["portal"]["by_topic"]["科教文体卫生"] == 1
    assert t["items"]["mp"] == {"total": 2, "original": 1, "repost": 1}


def test_export_zip_has_pages_files_and_index(engine, world, db_url, tmp_path, monkeypatch):
    png = base64.b64encode(b"\x89PNG fake").decode()
    with Session(engine) as s:
        import_rows(s, org_id=world.org_id, rows=[
            HEADER, ["2023-03-05", "门户网站", "其他", "", "原创", "三月的通知", ""],
            ["2023-04-05", "门户网站", "其他", "", "原创", "四月的通知", ""]])
        item = s.exec(select(Item).where(Item.title == "三月的通知")).one()
        item.body_html = "<p>正文</p>"
        item.cover_image = f"data:image/png;base64,{png}"
        item.attachments = [{"name": "附件一.png", "data": f"data:image/png;base64,{png}"}]
        s.commit()
        item_id = item.id
    monkeypatch.setenv("GONGKAI_DATABASE_URL", db_url)
    out = tmp_path / "march.zip"
    result = CliRunner().invoke(cli, ["export", "2023-03", "--out", str(out)])
    assert result.exit_code == 0, result.output
    with zipfile.ZipFile(out) as zf:
        names = set(zf.namelist())
        assert f"items/{item_id}/index.html" in names and f"items/{item_id}/附件一.png" in names
        assert "<p>正文</p>" in zf.read(f"items/{item_id}/index.html").decode()
        sheet = load_workbook(BytesIO(zf.read("index.xlsx"))).active
        rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][2] == "标题" and [r[2] for r in rows[1:]] == ["三月的通知"]
    bad = CliRunner().invoke(cli, ["export", "2023-13"])
    assert bad.exit_code == 2 and "YYYY-MM" in bad.output


def test_register_import_all_or_nothing(engine, world, db_url, tmp_path, monkeypatch):
    from annual.registers.models import DisclosureApplication

    good = "收到申请日期,申请渠道,申请人类型,答复日期,办理结果\n2025-03-10,online,自然人,2025-03-12,public\n"
    bad = good + "2025-03-10,online,natural,2025-03-01,public\n2025-03-10,online,natural,2025-03-12,（九）\n"
    (tmp_path / "bad.csv").write_text(bad, encoding="utf-8")
    (tmp_path / "good.csv").write_text(good, encoding="utf-8")
    monkeypatch.setenv("GONGKAI_DATABASE_URL", db_url)
    result = CliRunner().invoke(cli, ["registers", "import", "applications", str(tmp_path / "bad.csv")])
    assert result.exit_code == 2
    assert "第 3 行：答复日期" in result.output and "第 4 行：未知的办理结果代码" in result.output
    with Session(engine) as s:
        assert _count(s, DisclosureApplication) == 0
    result = CliRunner().invoke(cli, ["registers", "import", "applications", str(tmp_path / "good.csv")])
    assert result.exit_code == 0, result.output
    with Session(engine) as s:
        assert s.exec(select(DisclosureApplication.result)).all() == ["public"]
