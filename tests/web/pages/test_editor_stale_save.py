"""Issue 21 walk, finding 4: two windows on one item — a save from the window loaded before the other's
save is refused (409, Chinese message, nothing written) instead of silently overwriting it."""

from __future__ import annotations

import re

from sqlmodel import Session

from content.models import Item
from tests.web.pages.test_uploads import form, new_item

FETCH = {"accept": "application/json", "x-editor-fetch": "1"}


def _base(html: str) -> str:
    return re.search(r'name="base_revision" value="(\d+)"', html).group(1)


def _author(engine, item_id: int) -> str:
    with Session(engine) as s:
        return s.get(Item, item_id).author


def test_a_stale_window_cannot_overwrite_the_other_windows_save(client_for, engine):
    c = client_for("drafter")
    c.page("/items/new")
    item_id = new_item(c, engine)
    tab1 = _base(c.page(f"/items/{item_id}/edit").text)
    tab2 = _base(c.page(f"/items/{item_id}/edit").text)
    assert tab1 == tab2

    r = c.submit(f"/items/{item_id}/edit", form(engine, author="标签一作者", base_revision=tab1))
    assert r.status_code == 303
    assert _author(engine, item_id) == "标签一作者"

    # the second tab (the editor's fetch save): refused with the reason, its text not applied
    r = c.post(f"/items/{item_id}/edit", data={"csrf_token": c.csrf, **form(engine, author="标签二作者",
                                                                            base_revision=tab2)},
               headers={**FETCH, "X-CSRF-Token": c.csrf}, follow_redirects=False)
    assert r.status_code == 409, r.text
    body = r.json()
    assert body["ok"] is False and body["code"] == "stale_edit"
    assert "此稿件已在其他窗口或由他人保存，请刷新后再改" in body["message"]
    assert _author(engine, item_id) == "标签一作者"

    # a plain form post: the editor again with the message beside the form and the typed text kept
    r = c.submit(f"/items/{item_id}/edit", form(engine, author="标签二作者", base_revision=tab2))
    assert r.status_code == 409 and "此稿件已在其他窗口或由他人保存" in r.text
    assert 'value="标签二作者"' in r.text and f'name="base_revision" value="{tab2}"' in r.text
    assert _author(engine, item_id) == "标签一作者"

    # after a refresh the form carries the new version and saves
    fresh = _base(c.page(f"/items/{item_id}/edit").text)
    assert fresh != tab2
    r = c.submit(f"/items/{item_id}/edit", form(engine, author="标签二作者", base_revision=fresh))
    assert r.status_code == 303 and _author(engine, item_id) == "标签二作者"


def test_a_save_with_an_unchanged_version_and_the_api_without_one_still_work(client_for, engine):
    c = client_for("drafter")
    c.page("/items/new")
    item_id = new_item(c, engine)
    base = _base(c.page(f"/items/{item_id}/edit").text)
    r = c.submit(f"/items/{item_id}/edit", form(engine, base_revision=base))  # nothing changed: same revision
    assert r.status_code == 303
    r = c.submit(f"/items/{item_id}/edit", form(engine, author="作者", base_revision=base))
    assert r.status_code == 303 and _author(engine, item_id) == "作者"
    r = c.submit(f"/items/{item_id}/edit", form(engine, author="无版本"))  # no version given: not checked
    assert r.status_code == 303 and _author(engine, item_id) == "无版本"
