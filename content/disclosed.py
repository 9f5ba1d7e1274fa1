"""Which items were disclosed: the one rule the statutory tally and the 两馆 export share.

An item was disclosed in a period when it went live on at least one channel in that period
(`published_at`, set at its first confirmed publication) and it is in one of `DISCLOSED_STATES`:
still published, archived since, or withdrawn since — a withdrawn item was disclosed all the same, so
the year's figures count it and the archives receive its record (without its body, see
`annual.export`). Drafts and rejected items that were archived never had `published_at`.
"""

from __future__ import annotations

from datetime import datetime

from sqlmodel import col

from content.models import Item, ItemState

DISCLOSED_STATES: tuple[str, ...] = (ItemState.published.value, ItemState.archived.value, ItemState.withdrawn.value)
BODY_WITHHELD_STATES: tuple[str, ...] = (ItemState.withdrawn.value,)  # the archives get the record, not the text


def disclosed_between(start: datetime, end: datetime) -> tuple:
    """SQL conditions on `Item`: disclosed in [start, end)."""
    return (col(Item.state).in_(DISCLOSED_STATES), col(Item.published_at) >= start, col(Item.published_at) < end)
