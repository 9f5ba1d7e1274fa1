"""The operator docs stay in step with the code: every setting documented, every link resolves."""

from __future__ import annotations

import re
from pathlib import Path

from content.settings import Settings

DOCS = Path(__file__).resolve().parents[2] / "docs"


def _env_name(name: str, field) -> str:
    """The variable a field is read from: its first alias when it has one (GONGKAI_SANDBOX), else the prefix rule."""
    alias = field.validation_alias
    choices = getattr(alias, "choices", None) or ([alias] if isinstance(alias, str) else [])
    return str(choices[0]) if choices else f"GONGKAI_{name.upper()}"


def test_every_setting_is_in_the_configuration_reference():
    text = (DOCS / "configuration.md").read_text(encoding="utf-8")
    names = [_env_name(name, field) for name, field in Settings.model_fields.items()]
    missing = [env for env in names if env not in text]
    assert not missing, f"document these in docs/configuration.md: {missing}"


def test_relative_links_resolve():
    for page in DOCS.glob("*.md"):
        for target in re.findall(r"\]\(([^)#:]+\.md)\)", page.read_text(encoding="utf-8")):
            assert (DOCS / target).exists(), f"{page.name} links to missing {target}"


def test_callback_paths_match_the_nginx_site():
    wecom = (DOCS / "wecom.md").read_text(encoding="utf-8")
    mp = (DOCS / "mp.md").read_text(encoding="utf-8")
    assert "/wechat/work" in wecom and "/wechat/mp" in mp
    nginx = (DOCS.parent / "deploy" / "nginx" / "gongkai-common.conf").read_text(encoding="utf-8")
    assert "location /wechat/" in nginx
