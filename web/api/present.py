"""Turning items into their public JSON shapes (names resolved, labels in Chinese)."""

from __future__ import annotations

from sqlmodel import Session

from content import store
from content.models import (
    GATE_LABELS,
    PUBLICATION_STATE_LABELS,
    STATE_LABELS,
    Category,
    Department,
    Item,
    User,
)
from content.review import chain as workflow
from content.review.rules import ACTION_LABELS
from web.api.schemas import ItemDetail, ItemPublic, PublicationPublic

INCOMPLETE_LABEL = "未完成审核"
DECISION_LABELS = {"pending": "待审核", "approved": "同意", "rejected": "驳回", "skipped": "紧急发布时跳过",
                   "voided": "已作废"}  # fmt: skip


def api_action(name: str) -> str:
    """Workflow action name → URL segment (`flag_sensitive` → `flag-sensitive`)."""
    return name.replace("_", "-")


class Names:
    """A small per-request cache of department, user and category names."""

    def __init__(self, session: Session):
        self.session = session
        self._cache: dict[tuple[type, int], str | None] = {}

    def of(self, model: type, row_id: int | None) -> str | None:
        if row_id is None:
            return None
        key = (model, row_id)
        if key not in self._cache:
            row = self.session.get(model, row_id)
            self._cache[key] = row.name if row else None
        return self._cache[key]


def item_public(session: Session, item: Item, names: Names | None = None) -> ItemPublic:
    names = names or Names(session)
    return ItemPublic(**_public_fields(session, item, names))


def _public_fields(session: Session, item: Item, names: Names) -> dict:
    return dict(
        id=item.id, state=item.state, state_label=STATE_LABELS.get(item.state, item.state),
        gate=item.gate, gate_label=GATE_LABELS.get(item.gate) if item.gate else None,
        review_status=INCOMPLETE_LABEL if item.review_incomplete else None,
        title=item.title, digest=item.digest, author=item.author, body_html=item.body_html,
        cover_image=item.cover_image, attachments=item.attachments or [],
        topic=names.of(Category, item.topic_id), area=names.of(Category, item.area_id),
        channels=item.channels or [], origin=item.origin, source_url=item.source_url,
        disclosure_type=item.disclosure_type, publish_at=item.publish_at, has_full_text=item.has_full_text,
        sensitive=item.sensitive, emergency=item.emergency, review_incomplete=item.review_incomplete,
        department_id=item.department_id, department=names.of(Department, item.department_id),
        drafter_id=item.drafter_id, drafter=names.of(User, item.drafter_id),
        rejection_count=item.rejection_count, last_rejection_reason=item.last_rejection_reason,
        content_hash=store.current_hash(session, item), current_revision_id=item.current_revision_id,
        approved_revision_id=item.approved_revision_id, created_at=item.created_at, updated_at=item.updated_at,
        submitted_at=item.submitted_at, approved_at=item.approved_at, published_at=item.published_at,
    )  # fmt: skip


def item_detail(session: Session, item: Item, user: User) -> ItemDetail:
    names = Names(session)
    actions = [api_action(a) for a in workflow.available_actions(session, item, user)]
    step = workflow.current_step(session, item)
    assignees = [names.of(User, uid) or str(uid) for uid in (step.assignee_ids or [])] if step else []
    errors: list[dict] = []
    warnings: list[dict] = list(item.check_warnings or [])
    if item.state in ("draft", "rejected"):
        live = store.run_checks(session, item)
        errors, warnings = live.errors, live.warnings
    history = []
    for review in workflow.review_history(session, item_id=item.id):
        for entry in review["steps"]:
            entry["gate_label"] = GATE_LABELS.get(entry["gate"], entry["gate"])
            entry["decision_label"] = DECISION_LABELS.get(entry["decision"], entry["decision"])
        history.append(review)
    publications = [
        PublicationPublic(id=p.id, channel=p.channel, target=p.target, state=p.state,
                          state_label=PUBLICATION_STATE_LABELS.get(p.state, p.state), due_at=p.due_at,
                          attempts=p.attempts, remote_url=p.remote_url, last_error=p.last_error)
        for p in workflow.publications_of(session, item.id)
    ]
    return ItemDetail(
        **_public_fields(session, item, names), available_actions=actions, current_assignees=assignees,
        check_errors=errors, check_warnings=warnings, review_history=history, publications=publications,
    )


def action_label(api_name: str) -> str:
    return ACTION_LABELS.get(api_name.replace("-", "_"), api_name)
