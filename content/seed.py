"""What `gongkai init` puts into a new organization: both taxonomies and a default word list."""

from __future__ import annotations

from sqlmodel import Session, select

from content import audit
from content.models import CATALOGUE_AREAS, TOPIC_HEADINGS, Category, Organization, Taxonomy, WordRule
from content.models.ids import pk

# A small default list; the admin edits it in the database (settings page / API).
DEFAULT_WORD_RULES = [
    # (word, kind, severity, suggestion, flags_sensitive)
    ("群体性事件", "sensitive", "warning", None, True),
    ("上访", "sensitive", "warning", "信访", True),
    ("拆迁", "wording", "warning", "征收", False),
    ("暴力执法", "sensitive", "warning", None, True),
    ("内部资料", "sensitive", "error", None, False),
    ("秘密", "sensitive", "error", None, False),
    ("机密", "sensitive", "error", None, False),
    ("绝密", "sensitive", "error", None, False),
    ("领导人", "wording", "warning", "领导同志", False),
    ("农民工", "wording", "warning", "进城务工人员", False),
    ("城管", "wording", "warning", "城市管理综合执法", False),
    ("残废人", "wording", "warning", "残疾人", False),
]


def seed_org(session: Session, *, code: str, name: str) -> tuple[Organization, bool]:
    """Create the org with its categories and word list; return (org, created). Idempotent."""
    org = session.exec(select(Organization).where(Organization.code == code)).first()
    if org is not None:
        return org, False
    org = Organization(code=code, name=name)
    session.add(org)
    session.flush()
    org_id = pk(org)
    for sort, heading in enumerate(TOPIC_HEADINGS):
        session.add(Category(org_id=org_id, taxonomy=Taxonomy.topic, name=heading, sort=sort,
                             portal_code=f"T{sort + 1:02d}"))
    for sort, area in enumerate(CATALOGUE_AREAS):
        session.add(Category(org_id=org_id, taxonomy=Taxonomy.area, name=area, sort=sort))
    for word, kind, severity, suggestion, flags in DEFAULT_WORD_RULES:
        session.add(WordRule(org_id=org_id, word=word, kind=kind, severity=severity, suggestion=suggestion,
                             flags_sensitive=flags))
    session.flush()
    audit.record(session, org_id=org_id, action="org.create", target_type="organization", target_id=org_id,
                 name=name, code=code)
    return org, True
