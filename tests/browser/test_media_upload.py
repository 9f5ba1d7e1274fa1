"""Cover, body image and attachments in a real browser at 1366×768 and 375×812: a 6 MB phone photo is
shrunk before upload (stored < 1 MB), typed text survives the uploads, everything persists over save and
reload, a 12 MB PDF is attached, a 25 MB file is refused beside the field in Chinese (no 413 page), and
nothing overflows the phone's width."""

from __future__ import annotations

import io
import re

import pytest

from tests.browser.conftest import horizontal_overflow

pytestmark = pytest.mark.browser

VIEWPORTS = {"desktop": {"width": 1366, "height": 768}, "phone": {"width": 375, "height": 812}}
BODY_TEXT = "春耕现场：各村组织农机下田，确保不误农时。"


@pytest.fixture(scope="module")
def files(tmp_path_factory):
    """A 4000×3000 noisy phone-like JPEG of about 6 MB, a 12 MB PDF and a 25 MB PDF."""
    from PIL import Image

    folder = tmp_path_factory.mktemp("media")
    noise = Image.effect_noise((4000, 3000), 40)
    gradient = Image.linear_gradient("L").resize((4000, 3000))
    photo = Image.merge("RGB", (noise, gradient, Image.blend(noise, gradient, 0.5)))
    buf = io.BytesIO()
    photo.save(buf, "JPEG", quality=90)
    assert 5_000_000 < len(buf.getvalue()) < 8_000_000
    paths = {"photo": folder / "IMG_20240301_0930.jpg", "pdf": folder / "春耕备耕方案.pdf",
             "huge": folder / "全年台账扫描件.pdf"}
    paths["photo"].write_bytes(buf.getvalue())
    for key, size in (("pdf", 12 * 1024 * 1024), ("huge", 25 * 1024 * 1024)):
        with paths[key].open("wb") as f:
            f.write(b"%PDF-1.4\n")
            f.write(b"0" * (size - 20))
            f.write(b"\n%%EOF\n")
    return paths


def _no_overflow(v) -> None:
    problem = horizontal_overflow(v.page)
    assert problem is None, problem


def _body(page) -> str:
    return page.evaluate("() => window.gongkaiEditor.getHtml()")


@pytest.mark.parametrize("viewport", list(VIEWPORTS))
def test_phone_photo_shrunk_attachments_listed_and_everything_persists(visitors, files, viewport):
    v = visitors("drafter", viewport=VIEWPORTS[viewport])
    page = v.page
    uploads: list = []
    page.on("response", lambda r: uploads.append(r) if "/items/upload-" in r.url else None)
    v.goto("/items/new", "new")
    title = f"春耕现场图片新闻（{viewport}）"
    page.fill("#title", title)
    page.select_option("#topic_id", label="其他")
    page.click("#editor-text [contenteditable]")
    page.keyboard.type(BODY_TEXT)
    page.wait_for_function("t => document.querySelector('#body_html').value.includes(t)", arg=BODY_TEXT)

    # cover: the 6 MB photo is shrunk in the browser before it is sent
    with page.expect_response(lambda r: r.url.endswith("/items/upload-image")) as cover_answer:
        page.set_input_files("#cover-file", str(files["photo"]))
    cover = cover_answer.value.json()
    assert cover_answer.value.status == 200 and cover["size"] < 1_000_000 and cover["mime"] == "image/jpeg"
    page.wait_for_selector(f'#cover-preview[src="{cover["url"]}"]')
    page.wait_for_function("() => document.querySelector('#cover-preview').naturalWidth > 0")
    box = page.eval_on_selector("#cover-preview", "e => e.getBoundingClientRect().right")
    assert box <= VIEWPORTS[viewport]["width"]

    # body image through the editor's 上传图片 menu: shrunk too, the typed text still there
    page.click('#editor-toolbar [data-menu-key="group-image"]')
    with page.expect_file_chooser() as chooser, \
            page.expect_response(lambda r: r.url.endswith("/items/upload-image")) as image_answer:
        page.click('[data-menu-key="uploadImage"]')
        chooser.value.set_files(str(files["photo"]))
    image = image_answer.value.json()
    assert image["size"] < 1_000_000
    page.wait_for_function("u => window.gongkaiEditor.getHtml().includes(u)", arg=image["url"])
    assert BODY_TEXT in _body(page)

    # a 12 MB PDF is attached and listed
    with page.expect_response(lambda r: r.url.endswith("/items/upload-attachment")) as pdf_answer:
        page.set_input_files("#attachment-file", str(files["pdf"]))
    assert pdf_answer.value.status == 200 and pdf_answer.value.json()["size"] == files["pdf"].stat().st_size
    page.wait_for_selector("#attachment-list li:has-text('春耕备耕方案.pdf')")

    # a 25 MB file: refused beside the field, in Chinese, before anything is sent
    sent_before = len(uploads)
    page.set_input_files("#attachment-file", str(files["huge"]))
    page.wait_for_selector("#attachment-status.error")
    refusal = page.inner_text("#attachment-status")
    assert "附件过大" in refusal and "20 MB" in refusal
    assert len(uploads) == sent_before and page.url.endswith("/items/new")
    assert page.locator("#attachment-list li").count() == 1
    assert all(r.status == 200 for r in uploads)  # no 413 anywhere
    v.shot("uploaded")
    _no_overflow(v)

    # save, reload: title, text, body image, cover and attachment all persisted
    page.click("#save-btn")
    page.wait_for_url(re.compile(r".*/items/\d+/edit\?saved=1$"))
    page.reload()
    page.wait_for_selector("#cover-preview")
    assert page.input_value("#title") == title
    body = _body(page)
    assert BODY_TEXT in body and image["url"] in body
    assert page.get_attribute("#cover-preview", "src") == cover["url"]
    page.wait_for_function("() => document.querySelector('#cover-preview').naturalWidth > 0")
    assert page.locator("#attachment-list li").count() == 1
    assert "春耕备耕方案.pdf" in page.inner_text("#attachment-list")
    v.shot("reloaded")
    _no_overflow(v)
