"""What a handler receives: the session, the sender, the bound user and the after-reply work list."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING

from sqlalchemy.engine import Engine
from sqlmodel import Session

from content.models import User

if TYPE_CHECKING:
    from content.settings import Settings


@dataclass
class Inbound:
    """One decrypted callback message, flattened from the XML (missing fields are "")."""

    channel: str  # wecom | mp
    sender: str  # FromUserName: WeCom userid or official-account openid
    to: str  # ToUserName
    msg_type: str  # text | image | event | …
    content: str = ""
    event: str = ""
    event_key: str = ""
    create_time: str = ""
    msg_id: str = ""
    response_code: str = ""  # template_card_event
    raw: dict = field(default_factory=dict)

    @property
    def dedupe_key(self) -> str:
        if self.msg_id:
            return f"msg:{self.msg_id}"
        return f"evt:{self.sender}:{self.create_time}:{self.event}:{self.event_key}"[:300]


@dataclass
class AfterWork:
    """Slow work that runs after the passive reply was sent (card updates)."""

    card_updates: list[tuple[str, str, str]] = field(default_factory=list)  # (userid, response_code, label)


@dataclass
class ChatContext:
    session: Session
    engine: Engine
    settings: Settings
    inbound: Inbound
    user: User | None
    now: datetime
    after: AfterWork = field(default_factory=AfterWork)

    @property
    def channel(self) -> str:
        return self.inbound.channel
