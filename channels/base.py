"""The channel-adapter protocol every publishing channel implements, and the registry by name.

The dispatcher (scheduler/dispatch.py) owns the database; an adapter only talks to its remote
system. It receives a `PublishJob` (the approved revision's snapshot plus the publication's
stored progress) and answers with a `SendResult`, or raises one of the three errors below, which
decide what the outbox does next:

- `TransientError`  — nothing (or nothing final) happened remotely; retry later with backoff.
- `PermanentError`  — the remote refused the post (4xx, a failed review); the drafter is told.
- `UnknownOutcome`  — the post may or may not exist remotely; the row goes to `unknown` and
  `reconcile()` is asked before anything is sent again.

Multi-step channels call `job.save_progress()` after every remote step, so a crash resumes from
the last stored step instead of repeating it.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any, Protocol, runtime_checkable


class ChannelError(Exception):
    """`message` is Chinese and shown to people; `code` is a stable English identifier."""

    def __init__(self, message: str, *, code: str = "channel_error", retry_after: float | None = None):
        super().__init__(message)
        self.message = message
        self.code = code
        self.retry_after = retry_after


class TransientError(ChannelError):
    pass


class PermanentError(ChannelError):
    pass


class UnknownOutcome(ChannelError):
    pass


@dataclass
class PublishJob:
    publication_id: int
    org_id: int
    item_id: int
    channel: str
    target: str
    idempotency_key: str
    content: dict[str, Any]  # the approved revision's snapshot (PUBLISHABLE_FIELDS)
    progress: dict[str, Any] = field(default_factory=dict)
    remote_id: str | None = None
    portal_code: str | None = None  # the topic category's portal column code
    topic_name: str | None = None
    content_hash: str = ""  # the approved revision's hash (the portal echoes it back)
    save_progress: Callable[[dict[str, Any]], None] = lambda progress: None

    def step_done(self, step: str, value: Any) -> None:
        """Record one remote step's result durably before the next step starts."""
        self.progress[step] = value
        self.save_progress(dict(self.progress))


@dataclass
class SendResult:
    remote_id: str | None
    remote_url: str | None = None
    confirmed: bool = True  # False: accepted remotely, confirmation comes later via check()


class RemoteStatus(StrEnum):
    published = "published"  # exists and is live
    in_flight = "in_flight"  # accepted, confirmation pending (e.g. WeChat publish_status 1)
    absent = "absent"  # not there: safe to (re)send, resuming from stored progress
    failed = "failed"  # the remote rejected it for good


@dataclass
class RemoteState:
    status: RemoteStatus
    remote_id: str | None = None
    remote_url: str | None = None
    reason: str | None = None


@runtime_checkable
class ChannelAdapter(Protocol):
    name: str  # the Publication.channel value it serves
    label: str  # Chinese name shown to people
    needs_confirmation: bool  # True: a sent row is confirmed later by check()

    def send(self, job: PublishJob) -> SendResult: ...

    def reconcile(self, job: PublishJob) -> RemoteState:
        """After an unknown outcome: does the post exist remotely? Never creates anything."""
        ...

    def check(self, job: PublishJob) -> RemoteState:
        """For a `sent` row: has the remote finished publishing it?"""
        ...

    def withdraw(self, job: PublishJob, reason: str) -> None:
        """Delete the post remotely. Idempotent: an already-deleted post is success."""
        ...

    def close(self) -> None: ...


class ChannelRegistry:
    """Adapters by channel name; built once per process by `channels.build_registry`."""

    def __init__(self, adapters: list[ChannelAdapter] | None = None) -> None:
        self._adapters: dict[str, ChannelAdapter] = {}
        for adapter in adapters or []:
            self.register(adapter)

    def register(self, adapter: ChannelAdapter) -> None:
        self._adapters[adapter.name] = adapter

    def get(self, name: str) -> ChannelAdapter | None:
        return self._adapters.get(name)

    def names(self) -> list[str]:
        return sorted(self._adapters)

    def close(self) -> None:
        for adapter in self._adapters.values():
            adapter.close()
