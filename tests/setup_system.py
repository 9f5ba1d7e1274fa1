"""Install the Debian packages the test suite needs besides Python ones.

Chromium (browser tests), a Chinese font (browser screenshots and notice PDFs), pango (WeasyPrint's
notice PDFs) and nginx (the deploy test checks `deploy/nginx` with `nginx -t`).
Run by `make test` before pytest (`python -m tests.setup_system`). Idempotent: does nothing when all
are there. Under CI=true a failure to install is fatal (those tests must never be skipped silently in
CI); elsewhere it prints a warning and the tests that need a package skip with the reason.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from ctypes.util import find_library
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
    if not (find_library("pango-1.0") and find_library("pangoft2-1.0")):
        wanted.extend(["libpango-1.0-0", "libpangoft2-1.0-0"])
    if not shutil.which("nginx") and not Path("/usr/sbin/nginx").exists():
        wanted.append("nginx-light")
    return wanted


def main() -> int:
    wanted = missing_packages()
    if not wanted:
        print("测试所需系统软件已就绪：chromium、中文字体、pango、nginx")
        return 0
    if not shutil.which("apt-get"):
        print(f"缺少 {'、'.join(wanted)}，且本机没有 apt-get，无法自动安装", file=sys.stderr)
        return 1 if IN_CI else 0
    print(f"正在安装测试所需的系统软件包：{' '.join(wanted)}")
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
