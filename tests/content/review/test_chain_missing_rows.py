"""A row the chain's state promises but the database lacks is a clear 409, never an AttributeError (500)."""

import pytest
from sqlmodel import Session

from content.errors import Conflict
from content.review.chain import mark_published, void_approval


@pytest.mark.parametrize("transition", [
    lambda s: mark_published(s, item_id=987654),
    lambda s: void_approval(s, item_id=987654, reason="内容与审定版本不一致"),
])  # fmt: skip
def test_a_system_transition_of_a_missing_item_is_a_conflict(engine, transition):
    with Session(engine) as s, pytest.raises(Conflict) as caught:
        transition(s)
    assert caught.value.code == "state_inconsistent"
    assert "稿件" in caught.value.message
