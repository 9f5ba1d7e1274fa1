"""Images made fit for the official account: jpg/png under WeChat's size limit.

The file store accepts images up to 10 MB (phone photos uploaded without the browser's shrinking, the
API); WeChat's `media/uploadimg` takes jpg/png under 1 MB. A larger one is redrawn as a
JPEG (long side at most 1920 px, lower quality until it fits); one that cannot be read or made small
enough is refused with a reason a person can act on.
"""

from __future__ import annotations

import io

LONG_SIDE = 1920


class ImageUnfit(ValueError):
    """The image cannot be made fit for WeChat; the message is for people."""


def fit_for_wechat(name: str, data: bytes, max_bytes: int) -> tuple[str, bytes]:
    if len(data) < max_bytes:  # the type was checked before submission (content.checks)
        return name, data
    from PIL import Image, UnidentifiedImageError

    try:
        with Image.open(io.BytesIO(data)) as img:
            img.load()
            if img.mode in ("RGBA", "LA", "P"):
                rgba = img.convert("RGBA")
                img = Image.new("RGB", rgba.size, (255, 255, 255))
                img.paste(rgba, mask=rgba.getchannel("A"))
            else:
                img = img.convert("RGB")
    except (UnidentifiedImageError, OSError, Image.DecompressionBombError) as exc:
        raise ImageUnfit("无法识别的图片格式（只支持 jpg/png）") from exc
    img.thumbnail((LONG_SIDE, LONG_SIDE))
    for quality in (85, 75, 65, 55, 45):
        out = io.BytesIO()
        img.save(out, "JPEG", quality=quality, optimize=True)
        if out.tell() < max_bytes:
            return name.rsplit(".", 1)[0] + ".jpg", out.getvalue()
    raise ImageUnfit(f"压缩后仍超过 {max_bytes // 1024} KB")
