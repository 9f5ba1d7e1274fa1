"""Install what the browser tests need: Debian's Chromium and a Chinese font.

Run by `make test` before pytest (`python -m tests.setup_browser`). Idempotent: does nothing when
`/usr/bin/chromium` and a CJK font are already there. Under CI=true a failure to install is fatal
(the browser tests must never be skipped silently in CI); elsewhere it prints a warning and the
browser tests skip with the reason.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

CHROMIUM = Path("/usr/bin/chromium")
FONT_PACKAGES = ["fonts-noto-cjk"]
IN_CI = os.environ.get("CI", "").lower() in {"1", "true", "yes"}


def _has_cjk_font() -> bool:
    if not shutil.which("fc-list"):
        return False
    out = subprocess.run(["fc-list", ":lang=zh"], capture_output=True, text=True, check=False).stdout
    return bool(out.strip())


def _apt(*args: str) -> None:
    env = dict(os.environ, DEBIAN_FRONTEND="noninteractive")
    subprocess.run(["apt-get", *args], check=True, env=env, stdout=subprocess.DEVNULL)


def missing_packages() -> list[str]:
    wanted = []
    if not CHROMIUM.exists():
        wanted.append("chromium")
    if not _has_cjk_font():
        wanted.extend(FONT_PACKAGES)
    return wanted


def main() -> int:
    wanted = missing_packages()
    if not wanted:
        print("浏览器测试环境已就绪：/usr/bin/chromium 与中文字体均已安装")
        return 0
    if not shutil.which("apt-get"):
        print(f"缺少 {'、'.join(wanted)}，且本机没有 apt-get，无法自动安装", file=sys.stderr)
        return 1 if IN_CI else 0
    print(f"正在安装浏览器测试所需的软件包：{' '.join(wanted)}")
    try:
        _apt("update")
        _apt("install", "-y", "--no-install-recommends", *wanted)
    except (subprocess.CalledProcessError, OSError) as exc:
        print(f"安装失败：{exc}", file=sys.stderr)
        return 1 if IN_CI else 0
    if not CHROMIUM.exists():
        print("安装后仍找不到 /usr/bin/chromium", file=sys.stderr)
        return 1 if IN_CI else 0
    return 0


if __name__ == "__main__":
    sys.exit(main())
