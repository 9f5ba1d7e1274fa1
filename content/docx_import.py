""".docx import: zip-bomb checks, then mammoth in a child process with CPU, memory and time limits.

A .docx is a zip archive. A small archive can expand to gigabytes (a 204 KB "zip bomb" held a web
worker for 30 s; an 814 KB one took 124 s and 2.5 GB), and mammoth parses in pure Python. So:

1. `inspect_archive` reads only the zip's central directory and refuses too many entries, too many
   uncompressed bytes in total or in one entry, and suspicious compression ratios — before any byte
   is inflated. (zipfile stops reading an entry at its declared size, so the directory cannot lie
   about how much will be inflated.)
2. `convert` runs the conversion in a separate Python process (`python -m content.docx_import`)
   that first limits its own address space (RLIMIT_AS) and CPU time (RLIMIT_CPU); the parent also
   kills it after a wall-clock timeout. The web server's event loop only waits on a pipe, in a
   worker thread, so it keeps answering other requests (WeChat callbacks included) during any import.
   At most `MAX_PARALLEL` conversions run at once per web process; more are refused as busy.

The child writes JSON: the HTML with placeholder image sources `docx-image:N`, and the images
(base64) for the caller to store; it never touches the database.
"""

from __future__ import annotations

import base64
import io
import json
import subprocess
import sys
import threading
import zipfile
from dataclasses import dataclass, field

from content.errors import DomainError

DOCX_MAX_BYTES = 20 * 1024 * 1024  # the upload itself (a notice with phone photos); its route's body cap
# is raised to match (web.pages.docx_upload.docx_body_limit); photos are shrunk when they are stored
MAX_ENTRIES = 1000
MAX_TOTAL_UNCOMPRESSED = 40 * 1024 * 1024
MAX_ENTRY_UNCOMPRESSED = 25 * 1024 * 1024
MAX_RATIO = 100  # real Word XML compresses 5–20×; bombs 1000× and more
RATIO_FLOOR = 1024 * 1024  # small entries may compress as well as they like
TIME_LIMIT_S = 30
CPU_LIMIT_S = 20
MEMORY_LIMIT_BYTES = 768 * 1024 * 1024
MAX_PARALLEL = 2
IMAGE_PREFIX = "docx-image:"
_slots = threading.BoundedSemaphore(MAX_PARALLEL)


class DocxRefused(DomainError):
    """A .docx the import refuses; `status` is 413 (too large), 415 (not a docx), 422 or 503."""

    status = 422


@dataclass
class DocxImage:
    mime: str
    data: bytes


@dataclass
class Converted:
    html: str  # unsanitized; image sources are `docx-image:N` placeholders
    images: list[DocxImage] = field(default_factory=list)
    messages: int = 0


def _mb(n: int) -> str:
    return f"{n / (1024 * 1024):.0f} MB"


def inspect_archive(data: bytes) -> None:
    """Refuse what is not a .docx or would expand too much, from the zip directory alone."""
    if len(data) > DOCX_MAX_BYTES:
        raise DocxRefused("docx_too_large", f"文件过大：Word 文档不能超过 {_mb(DOCX_MAX_BYTES)}", status=413)
    not_docx = DocxRefused("not_docx", "只能导入 .docx 格式的 Word 文档（.doc 请先在 Word 中另存为 .docx）",
                           status=415)
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        entries = archive.infolist()
    except (zipfile.BadZipFile, ValueError, OSError):
        raise not_docx from None
    if "word/document.xml" not in {e.filename for e in entries}:
        raise not_docx
    bomb = ("Word 文档解压后过大（{}），可能是恶意构造的压缩文件，已拒绝导入；"
            "请在 Word 中另存为新文档或删除大图后重试")
    if len(entries) > MAX_ENTRIES:
        raise DocxRefused("docx_bomb", bomb.format(f"包含 {len(entries)} 个内部文件"), status=413)
    total = sum(e.file_size for e in entries)
    if total > MAX_TOTAL_UNCOMPRESSED:
        raise DocxRefused("docx_bomb", bomb.format(f"共 {_mb(total)}，上限 {_mb(MAX_TOTAL_UNCOMPRESSED)}"),
                          status=413)
    for e in entries:
        if e.file_size > MAX_ENTRY_UNCOMPRESSED:
            raise DocxRefused("docx_bomb", bomb.format(f"{e.filename} 为 {_mb(e.file_size)}"), status=413)
        if e.file_size > RATIO_FLOOR and e.file_size > MAX_RATIO * max(e.compress_size, 1):
            ratio = e.file_size // max(e.compress_size, 1)
            raise DocxRefused("docx_bomb", bomb.format(f"{e.filename} 压缩比 {ratio}:1"), status=413)


def child_command() -> list[str]:
    return [sys.executable, "-m", "content.docx_import"]


def convert(data: bytes, *, command: list[str] | None = None, time_limit: float = TIME_LIMIT_S) -> Converted:
    """Inspect, then convert in a limited child process. Blocking: call it from a worker thread."""
    inspect_archive(data)
    if not _slots.acquire(blocking=False):
        raise DocxRefused("docx_busy", "正在导入其他 Word 文档，请稍后重试", status=503)
    try:
        return _run_child(data, command or child_command(), time_limit)
    finally:
        _slots.release()


def _run_child(data: bytes, command: list[str], time_limit: float) -> Converted:
    unreadable = DocxRefused("docx_unreadable", "无法读取该 Word 文档，请确认文件未损坏")
    try:
        done = subprocess.run(command, input=data, capture_output=True, timeout=time_limit, check=False)
    except subprocess.TimeoutExpired:  # run() has killed the child
        raise DocxRefused("docx_timeout", "Word 文档过于复杂，未能在限定时间内完成转换；"
                          "请删除大图或拆分文档后重试") from None
    if done.returncode != 0:
        if b"MemoryError" in done.stderr or done.returncode < 0:  # out of memory, or killed by a limit
            raise DocxRefused("docx_too_complex", "Word 文档过于复杂，超出转换的内存或时间限制；"
                              "请删除大图或拆分文档后重试")
        raise unreadable
    try:
        out = json.loads(done.stdout)
        images = [DocxImage(i["mime"], base64.b64decode(i["data"])) for i in out["images"]]
        return Converted(html=str(out["html"]), images=images, messages=int(out["messages"]))
    except (ValueError, KeyError, TypeError):
        raise unreadable from None


def _child_main() -> int:
    """In the child: limit this process, convert stdin with mammoth, write JSON to stdout."""
    import resource

    resource.setrlimit(resource.RLIMIT_AS, (MEMORY_LIMIT_BYTES, MEMORY_LIMIT_BYTES))
    resource.setrlimit(resource.RLIMIT_CPU, (CPU_LIMIT_S, CPU_LIMIT_S + 1))
    import mammoth  # imported after the limits: nothing in here runs unlimited

    data = sys.stdin.buffer.read(DOCX_MAX_BYTES + 1)
    inspect_archive(data)  # again: the child never trusts its caller
    images: list[dict] = []

    def keep(image) -> dict:
        with image.open() as stream:
            raw = stream.read(MAX_ENTRY_UNCOMPRESSED + 1)
        images.append({"mime": image.content_type or "", "data": base64.b64encode(raw).decode()})
        # mammoth already sets alt from the picture's Word description (or title); a picture
        # without one is named by its place in the document rather than left without alt.
        attrs = {"src": f"{IMAGE_PREFIX}{len(images) - 1}"}
        if not (image.alt_text or "").strip():
            attrs["alt"] = f"Word 文档中的第 {len(images)} 张图片"
        return attrs

    result = mammoth.convert_to_html(io.BytesIO(data), convert_image=mammoth.images.img_element(keep))
    json.dump({"html": result.value, "images": images, "messages": len(result.messages)}, sys.stdout)
    return 0


if __name__ == "__main__":
    sys.exit(_child_main())
