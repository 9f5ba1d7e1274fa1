"""One row per editor form that created an item, so a repeated POST never creates a second one.

The editor puts a random nonce in a hidden field of the 新建稿件 form. The first POST that creates
an item stores (user, nonce) → item in the same transaction as the item; a second POST with the same
nonce (F5 on a result page, a double click, a retry after a lost answer) finds the row and is sent to
the item already made. The unique key decides between two POSTs that arrive at the same time.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import UniqueConstraint
from sqlmodel import Field, SQLModel

from content.models.base import created_at_field, org_fk


class FormNonce(SQLModel, table=True):
    __tablename__ = "form_nonce"
    __table_args__ = (UniqueConstraint("user_id", "nonce", name="uq_form_nonce_user_nonce"),)

    id: int | None = Field(default=None, primary_key=True)
    org_id: int = org_fk()
    user_id: int = Field(foreign_key="app_user.id", nullable=False)
    nonce: str = Field(max_length=64, nullable=False)
    item_id: int = Field(foreign_key="item.id", nullable=False)
    created_at: datetime = created_at_field()
