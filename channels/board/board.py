"""The bulletin-board channel (公开栏): the "post" is an A4 notice queued on the print-queue page.

Sending generates the notice (PDF with a QR code to the item's online page) and queues it; the row
is confirmed at once, since what follows is people's work, recorded on the print-queue page.
Withdrawal cancels an unposted notice or asks staff to take a posted one down.
"""

from __future__ import annotations

from sqlalchemy.engine import Engine
from sqlmodel import select

from channels.base import (
    PermanentError,
    PublishJob,
    RemoteState,
    RemoteStatus,
    SendResult,
    TransientError,
)
from channels.board import notices as board
from channels.links import item_link
from content.db.db import session_scope
from content.errors import DomainError
from content.files.backends import FileBackend
from content.labels import CHANNEL_LABELS
from content.models import Publication
from content.models.channel_targets import BoardNotice

LINK_WAIT_SECONDS = 30.0


class BoardChannel:
    name = "board"
    label = CHANNEL_LABELS["board"]
    needs_confirmation = False

    def __init__(self, engine: Engine, *, public_url: str, files: FileBackend | None = None) -> None:
        self.engine, self.public_url = engine, public_url
        self.files = files  # the notice's images are read from the store (channels.board.images)

    def close(self) -> None:
        pass

    def send(self, job: PublishJob) -> SendResult:
        with session_scope(self.engine) as s:
            link = item_link(s, item_id=job.item_id, public_url=self.public_url)
            if link is None:
                raise TransientError(
                    "等待门户网站或公众号发布完成后再生成公开栏公告（二维码需要原文地址）",
                    code="waiting_for_link",
                    retry_after=LINK_WAIT_SECONDS,
                )
            try:
                notice = board.create_notice(
                    s, publication=s.get(Publication, job.publication_id), link_url=link, files=self.files
                )
            except DomainError as exc:
                raise PermanentError(exc.message, code=exc.code) from None
            return SendResult(remote_id=f"notice:{notice.id}", remote_url=None, confirmed=True)

    def reconcile(self, job: PublishJob) -> RemoteState:
        with session_scope(self.engine) as s:
            notice = s.exec(
                select(BoardNotice).where(BoardNotice.publication_id == job.publication_id)
            ).first()
        if notice is None:
            return RemoteState(RemoteStatus.absent)
        return RemoteState(RemoteStatus.published, remote_id=f"notice:{notice.id}")

    def check(self, job: PublishJob) -> RemoteState:
        return self.reconcile(job)

    def withdraw(self, job: PublishJob, reason: str) -> None:
        with session_scope(self.engine) as s:
            board.withdraw_notice(s, publication_id=job.publication_id, reason=reason)
