"""`pk(row)`: a flushed row's id as an `int`; an unsaved row fails loudly instead of writing NULL."""

import pytest
from sqlmodel import Session

from content.models import Organization
from content.models.ids import UnsavedRowError, pk


def test_pk_of_a_flushed_row_is_its_id(engine):
    with Session(engine) as s:
        org = Organization(code="pk-town", name="主键镇")
        s.add(org)
        s.flush()
        assert org.id is not None
        assert pk(org) == org.id


def test_pk_of_an_unsaved_row_raises_with_the_table_name():
    with pytest.raises(UnsavedRowError, match="Organization has no id yet"):
        pk(Organization(code="new-town", name="新镇"))
