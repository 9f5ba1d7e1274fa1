"""The Chinese fonts the notice PDF needs (Debian `fonts-noto-cjk`, installed by `make test`'s setup
and by the deployment image). Without one WeasyPrint would print empty boxes, so generation refuses."""

from __future__ import annotations

import functools
import shutil
import subprocess

from content.errors import DomainError

FONT_STACK = '"Noto Serif CJK SC", "Noto Sans CJK SC", "WenQuanYi Zen Hei", "Source Han Serif SC", serif'


@functools.cache
def has_cjk_font() -> bool:
    if not shutil.which("fc-list"):
        return False
    out = subprocess.run(["fc-list", ":lang=zh"], capture_output=True, text=True, check=False).stdout
    return bool(out.strip())


def require_cjk_font() -> None:
    if not has_cjk_font():
        raise DomainError("cjk_font_missing", "服务器未安装中文字体（Debian 软件包 fonts-noto-cjk），无法生成公告 PDF",
                          status=503)
