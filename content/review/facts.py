"""What the rules read about one item for one actor, each fact read at most once.

The permission check and the chain's handlers ask for the active review, the current step, the authors,
the actor's roles and the content hash several times per action. `Facts` reads each lazily, once, for one
(item, actor) pair and one call: the item row is locked by then (FOR UPDATE / BEGIN IMMEDIATE), so what it
read cannot change underneath it, and the handlers keep it in step with what they write.
"""

from __future__ import annotations

from sqlmodel import Session

from content.accounts import roles_of
from content.db import review_rows
from content.models import Decision, Item, Review, ReviewStep, User
from content.review.reviewers import gate_holders
from content.store import content_hash, content_of


class Facts:
    """Lazy, read-once view of one item for one actor.

    Plain attributes rather than `functools.cached_property`: on Python 3.11 that holds one lock per
    property for every instance, so two requests in two threads would wait on each other's reads while
    one of them holds the database's write lock (tests/web/api/test_review_rules.py's two approvers).
    A read-once value that may be None is kept as a 1-tuple: None means "not read yet".
    """

    def __init__(self, session: Session, item: Item, user: User | None) -> None:
        self.session, self.item, self.user = session, item, user
        self._roles: set[str] | None = None
        self._revisions: list[review_rows.RevisionRow] | None = None
        self._authors: set[int] | None = None
        self._hash: str | None = None
        self._active: tuple[Review | None] | None = None
        self._latest: tuple[Review | None] | None = None
        self._steps: dict[int, list[ReviewStep]] = {}

    @property
    def roles(self) -> set[str]:
        if self._roles is None:
            self._roles = roles_of(self.session, self.user.id) if self.user and self.user.id else set()
        return self._roles

    def _revision_rows(self) -> list[review_rows.RevisionRow]:
        if self._revisions is None:
            self._revisions = review_rows.revisions_of(self.session, self.item.id or 0)
        return self._revisions

    @property
    def authors(self) -> set[int]:
        """The drafter and everyone who wrote a revision (what `reviewers.authors_of` returns)."""
        if self._authors is None:
            self._authors = {self.item.drafter_id, *(rev.created_by for rev in self._revision_rows())}
        return self._authors

    @property
    def content_hash(self) -> str:
        """The hash of the item's current revision (what `store.current_hash` returns)."""
        if self._hash is None:
            current = self.item.current_revision_id
            self._hash = content_hash(content_of(self.item)) if current is None else next(
                rev.content_hash for rev in self._revision_rows() if rev.id == current)
        return self._hash

    def holders(self, gate: str) -> set[int]:
        return gate_holders(self.session, self.item, gate)

    @property
    def active_review(self) -> Review | None:
        if self._active is None:
            review, steps = review_rows.active_review_with_steps(self.session, self.item.id or 0)
            if review is not None and review.id is not None:
                self._steps[review.id] = steps
            self._active = (review,)
        return self._active[0]

    @property
    def latest_review(self) -> Review | None:
        if self._latest is None:
            self._latest = (review_rows.latest_review(self.session, self.item.id or 0),)
        return self._latest[0]

    def steps(self, review_id: int) -> list[ReviewStep]:
        if review_id not in self._steps:
            self._steps[review_id] = review_rows.steps_of(self.session, review_id)
        return self._steps[review_id]

    @property
    def current_step(self) -> ReviewStep | None:
        """The pending step at the item's gate in the active review."""
        review = self.active_review
        if review is None or review.id is None or self.item.gate is None:
            return None
        return next((s for s in self.steps(review.id)
                     if s.gate == self.item.gate and s.decision == Decision.pending), None)

    def forget_steps(self) -> None:
        """Call after writing steps with a bulk UPDATE (they are re-read when asked again)."""
        self._steps.clear()
        self._active = self._latest = None
