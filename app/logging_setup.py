"""Process-wide logging: plain lines for a terminal, one JSON object per line for collectors.

Secrets never reach a log line: every configured secret value is masked in the formatted output
of our handler, whatever logger or library wrote the message; so are followers' openids, signatures
and tokens in URL parameters and the token of `/m/preview/<token>` paths (the access log writes paths).
"""

from __future__ import annotations

import json
import logging
import re
import sys
from datetime import UTC, datetime

from content.settings import Settings

MASK = "***"
# Personal data and bearer-like values that arrive in URLs (the access log writes the whole path):
# followers' openids on official-account callbacks, signatures, tokens, and the preview token path.
_URL_SECRET_PARAMS = re.compile(
    r"(?i)\b(openid|fromusername|userid|unionid|signature|msg_signature|echostr|access_token|token|code|key)"
    r"=([^&\s\"']+)")
_PREVIEW_PATH = re.compile(r"(/m/preview/)[^\s?\"'/]+")


def redact_urls(text: str) -> str:
    """`text` with URL parameters that identify people or grant access, and preview tokens, masked."""
    text = _PREVIEW_PATH.sub(rf"\g<1>{MASK}", text)
    return _URL_SECRET_PARAMS.sub(rf"\g<1>={MASK}", text)
_MIN_SECRET_LEN = 6  # shorter values would mask ordinary words


class JsonFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        entry = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname.lower(),
            "logger": record.name,
            "message": record.getMessage(),
        }
        if record.exc_info:
            entry["exception"] = self.formatException(record.exc_info)
        for key in ("request_id", "item_id", "channel", "publication_id"):
            if hasattr(record, key):
                entry[key] = getattr(record, key)
        return json.dumps(entry, ensure_ascii=False)


class SecretMask(logging.Formatter):
    """Wraps the real formatter and replaces every configured secret value in its output.

    Masking the rendered line (message, arguments, traceback, JSON alike) is what makes the
    guarantee hold whatever a library chooses to log.
    """

    def __init__(self, inner: logging.Formatter, secrets: list[str]) -> None:
        super().__init__()
        self.inner = inner
        self.secrets = sorted({s for s in secrets if len(s) >= _MIN_SECRET_LEN}, key=len, reverse=True)

    def format(self, record: logging.LogRecord) -> str:
        text = redact_urls(self.inner.format(record))
        for secret in self.secrets:
            if secret in text:
                text = text.replace(secret, MASK)
        return text


def secret_values(settings: Settings) -> list[str]:
    """Every secret value in the settings, plus the database password if the URL carries one."""
    values = [
        getattr(settings, name).get_secret_value()
        for name, field in type(settings).model_fields.items()
        if "SecretStr" in str(field.annotation)
    ]
    try:
        from sqlalchemy.engine import make_url

        password = make_url(settings.database_url).password
        if password:
            values.append(str(password))
    except Exception:  # noqa: BLE001 - a malformed URL is reported elsewhere
        pass
    return values


def setup_logging(settings: Settings, *, level: int = logging.INFO) -> None:
    """Configure the root logger once per process (idempotent: replaces our own handler)."""
    root = logging.getLogger()
    for handler in list(root.handlers):
        if getattr(handler, "_gongkai", False):
            root.removeHandler(handler)
    handler = logging.StreamHandler(sys.stderr)
    handler._gongkai = True  # type: ignore[attr-defined]
    inner = JsonFormatter() if settings.json_logs else logging.Formatter(
        "%(asctime)s %(levelname)s %(name)s: %(message)s")
    handler.setFormatter(SecretMask(inner, secret_values(settings)))
    root.addHandler(handler)
    root.setLevel(level)
    # uvicorn installs its own handlers unless told otherwise; route them through ours.
    for name in ("uvicorn", "uvicorn.error", "uvicorn.access", "apscheduler"):
        lg = logging.getLogger(name)
        lg.handlers.clear()
        lg.propagate = True
    for noisy in ("httpx", "alembic"):
        logging.getLogger(noisy).setLevel(logging.WARNING)
