"""The 两馆 index.xlsx stores every text cell as text: a title like `=HYPERLINK(…)` is never a live formula."""

from __future__ import annotations

import zipfile

from openpyxl import load_workbook
from sqlmodel import Session

from annual.export import export_zip
from content.models import Item
from content.timeutil import local_today, utcnow

TITLES = ['=HYPERLINK("http://evil.example/x","点此查看")', "+1+1", "-2+3", "@SUM(A1:A9)", "\t=1+1", "普通标题"]


def test_no_index_cell_is_a_formula_and_titles_read_back_unchanged(engine, world, tmp_path):
    with Session(engine) as s:
        for title in TITLES:
            s.add(Item(org_id=world.org_id, department_id=world.dept_a, drafter_id=world.drafter, title=title,
                       source_url="=cmd|' /C calc'!A0", channels=["portal"], state="published",
                       published_at=utcnow()))  # fmt: skip
        s.commit()
        out = tmp_path / "export.zip"
        assert export_zip(s, org_id=world.org_id, year=local_today().year, month=None, out=out) == len(TITLES)
        s.commit()
    with zipfile.ZipFile(out) as zf:
        ws = load_workbook(zf.open("index.xlsx")).active
    cells = [cell for row in ws.iter_rows() for cell in row]
    assert [c.coordinate for c in cells if c.data_type == "f"] == []
    titles = [row[2] for row in ws.iter_rows(min_row=2, values_only=True)]
    assert sorted(titles) == sorted(TITLES)
    assert {row[8] for row in ws.iter_rows(min_row=2, values_only=True)} == {"=cmd|' /C calc'!A0"}
