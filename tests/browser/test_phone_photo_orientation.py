"""Guard from the issue #21 walk: a phone photo taken upright (4032×3024 pixels with EXIF orientation 6, as
phones store portrait shots) is stored upright and shrunk, both as the cover and in the body."""

from __future__ import annotations

import io

import pytest

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def rotated_photo(tmp_path_factory):
    """A noisy 4032×3024 JPEG of about 6 MB tagged "rotate 90° clockwise to display" (orientation 6)."""
    from PIL import Image

    noise = Image.effect_noise((4032, 3024), 40)
    gradient = Image.linear_gradient("L").resize((4032, 3024))
    photo = Image.merge("RGB", (noise, gradient, Image.blend(noise, gradient, 0.5)))
    exif = photo.getexif()
    exif[0x0112] = 6
    buf = io.BytesIO()
    photo.save(buf, "JPEG", quality=90, exif=exif.tobytes())
    assert 5_000_000 < len(buf.getvalue()) < 9_000_000
    path = tmp_path_factory.mktemp("orientation") / "IMG_20261206_0815.jpg"
    path.write_bytes(buf.getvalue())
    return path


def _upright(v, url: str) -> tuple[int, int]:
    from PIL import Image

    answer = v.page.request.get(v.base + url)
    assert answer.ok, answer.status
    image = Image.open(io.BytesIO(answer.body()))
    assert image.getexif().get(0x0112, 1) == 1, "the stored file still asks viewers to rotate it"
    return image.size


def test_portrait_phone_photo_is_stored_upright(visitors, rotated_photo):
    v = visitors("drafter", viewport={"width": 1366, "height": 768})
    page = v.page
    v.goto("/items/new", "new")

    with page.expect_response(lambda r: r.url.endswith("/items/upload-image")) as cover_answer:
        page.set_input_files("#cover-file", str(rotated_photo))
    cover = cover_answer.value.json()
    assert cover_answer.value.status == 200 and cover["size"] < 1_000_000
    width, height = _upright(v, cover["url"])
    assert height > width and height <= 2000, (width, height)

    page.click("#editor-text [contenteditable]")
    page.click('#editor-toolbar [data-menu-key="group-image"]')
    with page.expect_file_chooser() as chooser, \
            page.expect_response(lambda r: r.url.endswith("/items/upload-image")) as image_answer:
        page.click('[data-menu-key="uploadImage"]')
        chooser.value.set_files(str(rotated_photo))
    image = image_answer.value.json()
    assert image_answer.value.status == 200 and image["size"] < 1_000_000
    width, height = _upright(v, image["url"])
    assert height > width and height <= 2000, (width, height)
    page.wait_for_function("u => window.gongkaiEditor.getHtml().includes(u)", arg=image["url"])
    v.shot("uploaded")
