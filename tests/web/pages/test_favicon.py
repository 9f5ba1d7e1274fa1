"""/favicon.ico answers with the site icon: browsers request it on pages that name no icon."""

from __future__ import annotations


def test_favicon_ico_is_the_site_icon(client_for):
    r = client_for().get("/favicon.ico")
    assert r.status_code == 200
    assert r.headers["content-type"].startswith("image/svg+xml")
    assert r.content.startswith(b"<svg")
