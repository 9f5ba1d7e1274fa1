"""The web UI's view rule is the core's: see content/access.py."""

from content.access import (
    WIDE_ROLES,
    can_view,
    item_for_viewer,
    list_scope,
    visible_clause,
    visible_department,
)

__all__ = ["WIDE_ROLES", "can_view", "item_for_viewer", "list_scope", "visible_clause", "visible_department"]
