"""Issue 21 walk, finding 2: files the public may read are embeddable by the portal (another site)."""

from __future__ import annotations

import json

from sqlmodel import Session

from content.models import Item, ItemState
from tests.web.pages.test_uploads import PDF, new_item, png, upload


def test_published_files_are_cross_origin_and_staff_only_files_same_site(client_for, engine, web_app):
    drafter = client_for("drafter")
    drafter.page("/items/new")
    img = upload(drafter, "/items/upload-image", "photo.png", png(seed=21), "image/png").json()
    att = upload(drafter, "/items/upload-attachment", "通知.pdf", PDF, "application/pdf").json()
    item_id = new_item(drafter, engine, body_html=f'<p>正文</p><p><img src="{img["url"]}" alt="现场"></p>',
                       attachments=json.dumps([{"name": "通知.pdf", "url": att["url"]}]))
    draft = drafter.get(img["url"])
    assert draft.status_code == 200 and draft.headers["cross-origin-resource-policy"] == "same-site"

    with Session(engine) as s:
        row = s.get(Item, item_id)
        row.state = ItemState.published
        s.add(row)
        s.commit()
    public = client_for(None)
    for url in (img["url"], att["url"]):
        r = public.get(url)
        assert r.status_code == 200 and r.headers["cross-origin-resource-policy"] == "cross-origin"
    # a signed-in colleague's browser (the cookie goes along) must not block the portal's image either
    r = drafter.get(img["url"])
    assert r.status_code == 200 and r.headers["cross-origin-resource-policy"] == "cross-origin"
    unrelated = upload(drafter, "/items/upload-image", "other.png", png(seed=22), "image/png").json()
    assert drafter.get(unrelated["url"]).headers["cross-origin-resource-policy"] == "same-site"
