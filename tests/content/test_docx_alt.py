"""A picture imported from Word always has alt text: its Word description, else its place."""

from __future__ import annotations

import io
import re

from docx import Document
from docx.shared import Cm

from content.docx_import import convert
from tests.web.pages.test_docx_import import _png


def _doc_with_pictures(descr: str | None) -> bytes:
    doc = Document()
    doc.add_paragraph("现场照片：")
    doc.add_picture(io.BytesIO(_png()), width=Cm(4))
    doc.add_picture(io.BytesIO(_png()), width=Cm(4))
    if descr is not None:
        doc.inline_shapes[0]._inline.docPr.set("descr", descr)
    out = io.BytesIO()
    doc.save(out)
    return out.getvalue()


def test_pictures_without_a_description_are_named_by_their_place():
    html = convert(_doc_with_pictures(None)).html
    alts = re.findall(r'<img [^>]*alt="([^"]*)"', html)
    assert alts == ["Word 文档中的第 1 张图片", "Word 文档中的第 2 张图片"]


def test_a_word_description_becomes_the_alt_text():
    html = convert(_doc_with_pictures("东风村消防通道")).html
    alts = re.findall(r'<img [^>]*alt="([^"]*)"', html)
    assert alts == ["东风村消防通道", "Word 文档中的第 2 张图片"]
