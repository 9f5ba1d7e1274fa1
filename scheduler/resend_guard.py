"""The check 重新发送 makes before it queues a failed publication again (web page and JSON API).

`content.publications.retry_publication` takes a guard `(publication) -> refusal or None`; content
cannot talk to WeChat, so the app builds this one from the settings and hands it down (`app.state.resend_guard`).
Only official-account rows that were submitted before are asked about; the channel's client is made on first
use, so a web process that never resends never talks to WeChat (nor starts the sandbox emulator).
"""

from __future__ import annotations

import threading
from collections.abc import Callable

from sqlalchemy.engine import Engine

from channels.base import PublishJob
from channels.mp.mp_resend import known_publish_ids
from content.models import Publication
from content.models.ids import pk
from content.settings import Settings

ResendGuard = Callable[[Publication], str | None]


def needs_asking(pub: Publication) -> bool:
    """An official-account row that holds a publish_id or a mass-send msg_id to ask about."""
    progress = pub.progress or {}
    return pub.channel == "mp" and bool(known_publish_ids(progress) or progress.get("mass_msg_id")
                                        or (pub.remote_id or "").startswith("mass:"))


def resend_guard(settings: Settings, engine: Engine) -> ResendGuard:
    lock = threading.Lock()
    made: list = []  # the channel adapter, once made (None when the official account is not configured)

    def channel():
        with lock:
            if not made:
                from channels import mp_factory

                made.append(mp_factory(settings, engine))
            return made[0]

    def guard(pub: Publication) -> str | None:
        if not needs_asking(pub):
            return None
        mp = channel()
        if mp is None:
            return None
        job = PublishJob(publication_id=pk(pub), org_id=pub.org_id, item_id=pub.item_id, channel=pub.channel,
                         target=pub.target, idempotency_key=pub.idempotency_key, content={},
                         progress=dict(pub.progress or {}), remote_id=pub.remote_id)
        return mp.resend_refusal(job)

    return guard
