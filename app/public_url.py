"""The public URL follows `--host/--port` when GONGKAI_PUBLIC_URL is not set.

Every link gongkai writes (bot previews, feeds, QR codes, the demo robot's webhook) is built from
`settings.public_url`. Its default names port 8000; `gongkai run --port 8100` must not hand out
links to a port nobody listens on. The value goes into the environment, so the processes `run` and
`serve` start (the delivery process, uvicorn workers) build the same settings.
"""

from __future__ import annotations

import os

from content.settings import Settings

ENV_NAME = "GONGKAI_PUBLIC_URL"
WILDCARD_HOSTS = {"0.0.0.0", "::", ""}


def url_for_listen_address(host: str, port: int) -> str:
    """The URL a browser on this machine reaches the server at (a wildcard bind means loopback)."""
    if host in WILDCARD_HOSTS:
        host = "127.0.0.1"
    elif ":" in host and not host.startswith("["):
        host = f"[{host}]"  # an IPv6 literal
    return f"http://{host}:{port}"


def follow_listen_address(host: str, port: int) -> Settings:
    """Settings whose public URL is the configured one, or else the address the server listens on."""
    settings = Settings()
    if "public_url" in settings.model_fields_set:  # set by the environment or .env: the operator decided
        return settings
    os.environ[ENV_NAME] = url_for_listen_address(host, port)
    return Settings()
