"""Issue 21 walk, finding 10: 移除封面图 stays hidden until there is a cover (`hidden` was overridden by the
buttons' `display: inline-block`)."""

from __future__ import annotations

import pytest

from tests.web.pages.test_uploads import png

pytestmark = pytest.mark.browser


def test_remove_cover_link_shows_only_with_a_cover(visitors, tmp_path):
    v = visitors("drafter")
    page = v.page
    v.goto("/items/new", "new")
    assert page.get_attribute("#remove-cover", "hidden") is not None
    assert not page.is_visible("#remove-cover")
    photo = tmp_path / "cover.png"
    photo.write_bytes(png(seed=10))
    page.set_input_files("#cover-file", str(photo))
    page.wait_for_selector("#remove-cover", state="visible")
    v.shot("cover")
    page.click("#remove-cover")
    page.wait_for_selector("#remove-cover", state="hidden")
    assert not page.is_visible("#remove-cover")
