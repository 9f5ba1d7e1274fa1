"""What leaves gongkai names our stored files by absolute URLs under the public URL (both databases).

One item whose body image, cover and attachment are stored files goes through the review chain and the
outbox to the portal emulator and a WeCom group robot emulator; the feeds, the public page, the lobby
screen and the signed mobile preview are read back. The approved revision itself keeps its relative
`/files/<sha>` URLs and its hash, which the portal is sent unchanged.
"""

from __future__ import annotations

import hashlib
import json
import re

import pytest
from fastapi.testclient import TestClient
from sqlmodel import Session, select

from app.factory import create_app
from channels.base import ChannelRegistry
from channels.portal import PortalChannel
from channels.wecom_group.wecom_group import WecomGroupChannel
from content.files import DirectoryBackend, save_file
from content.files.outbound import outbound_content
from content.models import Item, Revision
from content.preview import preview_path
from content.settings import Settings
from content.store import content_hash
from scheduler.dispatch import dispatch_once
from tests.channels import conftest as channel_fixtures
from tests.channels.helpers import add_robot, approved_item, outbox_cfg, publications
from tests.web.pages.test_uploads import PDF, png

clock, outbox_clock, robot_emulator = (channel_fixtures.clock, channel_fixtures.outbox_clock,
                                      channel_fixtures.robot_emulator)  # the robot emulator on a test clock
PUBLIC = "https://gk.town.example"
SECRET = "test-secret-key-outbound-files"


@pytest.fixture
def stored(engine, world, tmp_path):
    """A photo and a PDF in the org's store: (backend dir, image sha, pdf sha)."""
    backend = DirectoryBackend(tmp_path / "files")
    image = png(48, seed=11)
    with Session(engine) as s:
        img = save_file(s, backend, org_id=world.org_id, data=image, name="photo.png", mime="image/png",
                        created_by=world.drafter)
        pdf = save_file(s, backend, org_id=world.org_id, data=PDF, name="通知.pdf", mime="application/pdf",
                        created_by=world.drafter)
        s.commit()
        return tmp_path / "files", img.sha256, pdf.sha256, image


def item_with_files(engine, world, img: str, pdf: str, channels) -> int:
    return approved_item(engine, world, channels=channels, title="春耕现场图片新闻",
                         body_html=f'<p>春耕现场。</p><p><img src="/files/{img}" alt="春耕"></p>',
                         cover_image=f"/files/{img}",
                         attachments=[{"name": "春耕通知.pdf", "url": f"/files/{pdf}"}])


def app_client(engine, files_dir) -> TestClient:
    settings = Settings(database_url=engine.url.render_as_string(hide_password=False), secret_key=SECRET,
                        public_url=PUBLIC, files_dir=str(files_dir))
    return TestClient(create_app(settings, engine=engine), raise_server_exceptions=False)


def test_portal_and_robot_get_absolute_urls_of_the_approved_revision(engine, world, stored, robot_emulator,
                                                                     outbox_clock, portal_emulator):
    files_dir, img, pdf, _image = stored
    key = robot_emulator.state.new_key()
    robot_id = add_robot(engine, world, "东村网格群", robot_emulator.webhook_url(key))
    item_id = item_with_files(engine, world, img, pdf, ["portal", f"wecom_group:{robot_id}"])
    with Session(engine) as s:
        rev = s.get(Revision, s.get(Item, item_id).approved_revision_id)
        approved, approved_hash = json.loads(json.dumps(rev.content)), rev.content_hash
    registry = ChannelRegistry([
        PortalChannel(portal_emulator.url, "portal-token", timeout=5, backoff=0.01, public_url=PUBLIC + "/"),
        WecomGroupChannel(engine, public_url=PUBLIC, clock=outbox_clock),
    ])
    for _ in range(3):  # the robot waits for the portal's link
        dispatch_once(engine, registry, outbox_cfg())
        if all(p.state == "confirmed" for p in publications(engine, item_id)):
            break
        outbox_clock.advance(60)
    registry.close()
    assert {p.state for p in publications(engine, item_id)} == {"confirmed"}

    [post] = portal_emulator.live_posts()
    sent = {**post.data, "body_html": post.body_html}
    assert f'src="{PUBLIC}/files/{img}"' in sent["body_html"] and 'src="/files/' not in sent["body_html"]
    assert sent["cover_image"] == f"{PUBLIC}/files/{img}"
    assert sent["attachments"] == [{"name": "春耕通知.pdf", "url": f"{PUBLIC}/files/{pdf}", "size": len(PDF),
                                    "mime": "application/pdf"}]
    # the hash sent is the approved revision's; the revision is untouched and still matches its hash
    assert sent["content_hash"] == approved_hash
    with Session(engine) as s:
        rev = s.get(Revision, s.get(Item, item_id).approved_revision_id)
        assert rev.content == approved and content_hash(rev.content) == approved_hash
        assert rev.content["cover_image"] == f"/files/{img}"
    # the payload is a pure function of the revision and the public URL (nothing else may differ)
    again = outbound_content(approved, PUBLIC)
    assert {k: again[k] for k in ("body_html", "cover_image", "attachments")} == \
        {k: sent[k] for k in ("body_html", "cover_image", "attachments")}

    [card] = robot_emulator.state.delivered(key)
    article = card.body["news"]["articles"][0]
    assert article["picurl"] == f"{PUBLIC}/files/{img}"
    assert article["url"] == post_url(portal_emulator, post.id)


def post_url(emulator, post_id: int) -> str:
    return f"{emulator.url.rstrip('/')}/posts/{post_id}.html"


def test_feeds_public_page_and_screen_name_files_absolutely_and_serve_them(engine, world, stored, portal_emulator):
    files_dir, img, pdf, image = stored
    item_id = item_with_files(engine, world, img, pdf, ["portal"])
    registry = ChannelRegistry([PortalChannel(portal_emulator.url, "portal-token", timeout=5, public_url=PUBLIC)])
    dispatch_once(engine, registry, outbox_cfg())
    registry.close()
    with Session(engine) as s:
        assert s.get(Item, item_id).state == "published"
    with app_client(engine, files_dir) as c:
        for fmt in ("atom", "rss", "json"):
            feed = c.get(f"/feeds/test-town.{fmt}")
            assert feed.status_code == 200
            text = feed.text
            assert f"{PUBLIC}/files/{img}" in text, fmt
            assert not re.search(r"""src=(?:\\?&quot;|\\?["'])/files/""", text), fmt
        page = c.get(f"/p/test-town/{item_id}")
        assert page.status_code == 200
        assert f'src="{PUBLIC}/files/{img}"' in page.text
        assert f'href="{PUBLIC}/files/{pdf}"' in page.text and "春耕通知.pdf" in page.text
        screen = c.get("/screen/test-town")
        assert screen.status_code == 200 and "春耕现场图片新闻" in screen.text and "/files/" not in screen.text
        # the public (no session) may read the published item's files; the bytes are the stored ones
        served = c.get(f"/files/{img}")
        assert served.status_code == 200 and hashlib.sha256(served.content).hexdigest() == img
        assert served.content == image


def test_signed_mobile_preview_shows_files_through_its_token_only(engine, world, stored):
    files_dir, img, pdf, image = stored
    item_id = item_with_files(engine, world, img, pdf, ["portal"])
    with Session(engine) as s:
        item = s.get(Item, item_id)
        path = preview_path(SECRET, item_id=item_id, revision_id=item.current_revision_id)
        assert item.state != "published"
    token = path.rsplit("/", 1)[-1]
    with app_client(engine, files_dir) as c:  # a leader in WeCom: the link, no web session
        assert c.get(f"/files/{img}").status_code == 404  # unpublished: not public
        page = c.get(path)
        assert page.status_code == 200, page.text
        assert f'src="/m/preview/{token}/files/{img}"' in page.text  # body image and cover
        assert page.text.count(f"/m/preview/{token}/files/{img}") == 2
        assert f'href="/m/preview/{token}/files/{pdf}"' in page.text and "春耕通知.pdf" in page.text
        served = c.get(f"/m/preview/{token}/files/{img}")
        assert served.status_code == 200 and served.content == image
        assert served.headers["x-content-type-options"] == "nosniff"
        assert c.get(f"/m/preview/{token}/files/{pdf}").headers["content-disposition"].startswith("attachment")
        other = hashlib.sha256(b"not in this revision").hexdigest()
        assert c.get(f"/m/preview/{token}/files/{other}").status_code == 404
        assert c.get(f"/m/preview/{token[:-3]}abc/files/{img}").status_code == 403


def _pdf_image_sizes(pdf: bytes) -> list[tuple[int, int]]:
    import io

    import pypdf
    from PIL import Image

    reader = pypdf.PdfReader(io.BytesIO(pdf))
    return [Image.open(io.BytesIO(image.data)).size for page in reader.pages for image in page.images]


def test_board_notice_prints_body_images_read_from_the_store(engine, world, stored, portal_emulator, outbox_clock):
    from channels.board import notices as board
    from channels.board.board import BoardChannel
    from content.models.channel_targets import BoardNotice
    from tests.web.pages.conftest import WebClient

    files_dir, img, pdf, _image = stored
    item_id = item_with_files(engine, world, img, pdf, ["portal", "board"])
    backend = DirectoryBackend(files_dir)
    registry = ChannelRegistry([PortalChannel(portal_emulator.url, "portal-token", timeout=5, public_url=PUBLIC),
                                BoardChannel(engine, public_url=PUBLIC, files=backend)])
    for _ in range(3):  # the notice waits for the portal's link (its QR code)
        dispatch_once(engine, registry, outbox_cfg())
        outbox_clock.advance(60)
    registry.close()
    assert {p.channel: p.state for p in publications(engine, item_id)} == {"portal": "confirmed",
                                                                           "board": "confirmed"}
    with Session(engine) as s:
        notice = s.exec(select(BoardNotice)).one()
        _, printed = board.notice_pdf(s, org_id=world.org_id, notice_id=notice.id, files=backend)
        _, without_store = board.notice_pdf(s, org_id=world.org_id, notice_id=notice.id)
    assert (48, 48) in _pdf_image_sizes(printed)  # the photo, besides the QR code
    assert (48, 48) not in _pdf_image_sizes(without_store)
    with app_client(engine, files_dir) as c:  # the print queue's PDF link reads the app's store
        web = WebClient(c.app, base_url="https://testserver")  # the public URL is https: secure cookies
        web.page("/login")
        assert web.submit("/login", {"login": "admin", "password": world.password, "next": "/"}).status_code == 303
        r = web.get(f"/notices/{notice.id}.pdf")
        assert r.status_code == 200 and (48, 48) in _pdf_image_sizes(r.content)
    # an altered stored file stops the notice instead of printing something else
    target = next(p for p in files_dir.rglob("*") if p.name == img)
    target.write_bytes(png(48, seed=99))
    with Session(engine) as s:
        notice = s.exec(select(BoardNotice)).one()
        with pytest.raises(Exception) as info:
            board.notice_pdf(s, org_id=world.org_id, notice_id=notice.id, files=backend)
    assert getattr(info.value, "code", "") == "file_altered"
