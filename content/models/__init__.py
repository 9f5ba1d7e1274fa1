"""All tables of the core. Import from here: `from content.models import Item`."""

from content.models.audit import AuditEvent
from content.models.category import CATALOGUE_AREAS, TOPIC_HEADINGS, Category, Taxonomy
from content.models.checks import WordRule
from content.models.item import (
    CHANNEL_LABELS,
    PUBLISHABLE_FIELDS,
    STATE_LABELS,
    Channel,
    DisclosureType,
    Item,
    ItemState,
    Origin,
    Revision,
)
from content.models.notification import Notification
from content.models.org import ROLE_LABELS, Department, Deputy, Organization, Oversight, Role, User, UserRole
from content.models.publication import PUBLICATION_STATE_LABELS, Publication, PublicationState
from content.models.review import GATE_LABELS, Decision, Gate, Review, ReviewState, ReviewStep

__all__ = [
    "AuditEvent", "CATALOGUE_AREAS", "CHANNEL_LABELS", "Category", "Channel", "Decision", "Department",
    "Deputy", "DisclosureType", "GATE_LABELS", "Gate", "Item", "ItemState", "Notification", "Organization",
    "Origin", "Oversight", "PUBLICATION_STATE_LABELS", "PUBLISHABLE_FIELDS", "Publication", "PublicationState",
    "ROLE_LABELS", "Review", "ReviewState", "ReviewStep", "Role", "Revision", "STATE_LABELS", "TOPIC_HEADINGS",
    "Taxonomy", "User", "UserRole", "WordRule",
]  # fmt: skip
