"""What one action (or one `available_actions` call) reads about an item, read once.

The permission check and the handlers of `content.review.chain` used to recompute the active review,
the current step, the authors, the actor's roles and the content hash several times per action,
one round trip each. `Facts` reads each of them at most once, lazily, for one (item, actor) pair.
It lives for one call only: the item row is locked by then (FOR UPDATE / BEGIN IMMEDIATE), so what
it read cannot change underneath it, and the handlers keep it in step with what they write.
"""

from __future__ import annotations

from sqlalchemy import bindparam
from sqlmodel import Session, col, select

from content.accounts import roles_of
from content.models import Decision, Item, Review, ReviewState, ReviewStep, Revision, User
from content.review.reviewers import gate_holders
from content.store import content_hash, content_of

_UNSET = object()

# The active review and all its steps in one round trip (a review has at least one step).
_ACTIVE = (
    select(Review, ReviewStep)
    .outerjoin(ReviewStep, col(ReviewStep.review_id) == col(Review.id))
    .where(Review.item_id == bindparam("item_id"), Review.state == ReviewState.in_progress)
    .order_by(ReviewStep.id)
)
_LATEST = select(Review).where(Review.item_id == bindparam("item_id")).order_by(col(Review.id).desc()).limit(1)
_STEPS = select(ReviewStep).where(ReviewStep.review_id == bindparam("review_id")).order_by(ReviewStep.id)
# Authors and the current hash from one read of the item's (few) revisions, without their content.
_REVISIONS = select(Revision.id, Revision.created_by, Revision.content_hash).where(
    Revision.item_id == bindparam("item_id")
)


class Facts:
    """Lazy, read-once view of one item for one actor."""

    def __init__(self, session: Session, item: Item, user: User | None) -> None:
        self.session, self.item, self.user = session, item, user
        self._roles: set[str] | None = None
        self._active: object = _UNSET
        self._latest: object = _UNSET
        self._steps: dict[int, list[ReviewStep]] = {}
        self._authors: set[int] | None = None
        self._hash: str | None = None

    @property
    def roles(self) -> set[str]:
        if self._roles is None:
            self._roles = roles_of(self.session, self.user.id) if self.user else set()
        return self._roles

    @property
    def authors(self) -> set[int]:
        """The drafter and everyone who wrote a revision (what `reviewers.authors_of` returns)."""
        if self._authors is None:
            self._read_revisions()
        return self._authors  # type: ignore[return-value]

    def holders(self, gate: str) -> set[int]:
        return gate_holders(self.session, self.item, gate)  # memoized per transaction

    @property
    def content_hash(self) -> str:
        """The hash of the item's current revision (what `store.current_hash` returns)."""
        if self._hash is None:
            if self.item.current_revision_id is None:
                self._hash = content_hash(content_of(self.item))
            else:
                self._read_revisions()
        return self._hash  # type: ignore[return-value]

    def _read_revisions(self) -> None:
        rows = self.session.execute(_REVISIONS, {"item_id": self.item.id}).all()
        self._authors = {self.item.drafter_id, *(created_by for _, created_by, _ in rows)}
        if self._hash is None and self.item.current_revision_id is not None:
            self._hash = next(h for rev_id, _, h in rows if rev_id == self.item.current_revision_id)

    @property
    def active_review(self) -> Review | None:
        if self._active is _UNSET:
            rows = self.session.execute(_ACTIVE, {"item_id": self.item.id}).all()
            self._active = rows[0][0] if rows else None
            if rows:
                self._steps[rows[0][0].id] = [step for _, step in rows if step is not None]
        return self._active  # type: ignore[return-value]

    @property
    def latest_review(self) -> Review | None:
        if self._latest is _UNSET:
            self._latest = self.session.execute(_LATEST, {"item_id": self.item.id}).scalars().first()
        return self._latest  # type: ignore[return-value]

    def steps(self, review_id: int) -> list[ReviewStep]:
        if review_id not in self._steps:
            self._steps[review_id] = list(self.session.execute(_STEPS, {"review_id": review_id}).scalars())
        return self._steps[review_id]

    @property
    def current_step(self) -> ReviewStep | None:
        """The pending step at the item's gate in the active review."""
        review = self.active_review
        if review is None or self.item.gate is None:
            return None
        return next((s for s in self.steps(review.id)
                     if s.gate == self.item.gate and s.decision == Decision.pending), None)

    def forget_steps(self) -> None:
        """Call after writing steps with a bulk UPDATE (they are re-read when asked again)."""
        self._steps.clear()
        self._active = self._latest = _UNSET
