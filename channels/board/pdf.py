"""Rendering a bulletin-board notice: A4 PDF (WeasyPrint), body text paginated, QR code (segno).

The body is the item's sanitized HTML; its images that are our stored files are inlined from the file
store (channels.board.images), any other image is dropped. WeasyPrint may fetch nothing from the
network or the disk: only `data:` URLs load.
An item without printable body text still yields a notice with its title, issuer, date and QR.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

import segno
from jinja2 import Environment, FileSystemLoader, select_autoescape

from channels.board.fonts import FONT_STACK, require_cjk_font
from channels.board.images import ImageReader, has_image, inline_stored_images
from content.html import sanitize, text_of
from content.text_clean import xml_text
from content.timeutil import local

TEMPLATES = Path(__file__).resolve().parent / "templates"
_env = Environment(loader=FileSystemLoader(TEMPLATES), autoescape=select_autoescape(["html"]))


@dataclass
class NoticeData:
    title: str
    issuer: str
    issued_on: datetime
    body_html: str
    link_url: str
    signers: tuple[str, ...] = ()  # names that, closing the body, make it its own sign-off (org, department)
    images: ImageReader | None = None  # our stored body images, read from the store (channels.board.images)


def date_text(value: datetime) -> str:
    d = local(value)
    return f"{d.year}年{d.month}月{d.day}日"


def qr_png_data_uri(payload: str) -> str:
    return segno.make(payload, error="m").png_data_uri(scale=8, border=4)


def printable_body(body_html: str, images: ImageReader | None = None) -> str:
    """The sanitized body with our stored images inlined from the store (`images`; without it, or for
    outside images, they are dropped); empty when nothing printable is left."""
    html = inline_stored_images(sanitize(body_html or ""), images)
    return html if text_of(html).strip() or has_image(html) else ""


_BLOCK_END = re.compile(r"</(?:p|div|h[1-6]|li|td|tr|table|blockquote)>|<br\s*/?>", re.I)
_DATE = re.compile(r"(?:\d{4}|[〇零一二三四五六七八九○]{4})\s*年\s*[\d一二三四五六七八九十]{1,3}\s*月"
                   r"\s*[\d一二三四五六七八九十]{1,3}\s*日|\d{4}[-./]\d{1,2}[-./]\d{1,2}")
SIGNOFF_LINES = 3  # a 公文 closes with the issuer and the date on its last lines (an 附件 line may follow)
SIGNOFF_SLACK = 8  # characters beside the issuer's name on its sign-off line


def has_own_signoff(body_html: str, names: tuple[str, ...]) -> bool:
    """Whether the body already ends with a sign-off (落款): a date, the issuer (org or department) or
    the issuer and the date on one line, on its last lines.

    Drafts written as 公文 carry their own 落款; the notice then must not print a second one.
    """
    lines = [t.replace(" ", "") for t in (text_of(part).strip() for part in _BLOCK_END.split(body_html or "")) if t]

    def names_issuer(line: str) -> bool:  # the name with little else ("示例镇人民政府（盖章）"), not a sentence
        return any(n and n in line and len(line) - len(n) <= SIGNOFF_SLACK for n in names)

    def signs_off(line: str) -> bool:  # a date line, the issuer's line, or both on one line
        rest = _DATE.sub("", line)
        if rest != line and (not rest or names_issuer(rest)):  # "2026年3月4日", "示例镇人民政府  2026年12月6日"
            return True
        return names_issuer(line)

    return any(signs_off(line) for line in lines[-SIGNOFF_LINES:])


def _css_string(text: str) -> str:
    """Text safe inside a double-quoted CSS string within a <style> element."""
    return "".join(c if c.isalnum() or c in " ·（）()-" else f"\\{ord(c):x} " for c in text)


def render_html(data: NoticeData) -> str:
    """The notice as HTML for WeasyPrint; stored text may predate input cleaning, so control characters go here."""
    body = printable_body(xml_text(data.body_html), data.images)
    return _env.get_template("notice.html").render(
        title=xml_text(data.title), issuer=data.issuer, issuer_css=_css_string(data.issuer), date_text=date_text(data.issued_on), link_url=data.link_url,
        body_html=body, qr_uri=qr_png_data_uri(data.link_url), font_stack=FONT_STACK,
        sign=not has_own_signoff(body, (data.issuer, *data.signers)),
    )  # fmt: skip


def render_pdf(data: NoticeData) -> tuple[bytes, int]:
    """(PDF bytes, page count)."""
    require_cjk_font()
    from weasyprint import HTML
    from weasyprint.urls import URLFetcher

    fetcher = URLFetcher(allowed_protocols={"data"})  # nothing from the network or the disk
    document = HTML(string=render_html(data), url_fetcher=fetcher).render()
    return document.write_pdf(), len(document.pages)
