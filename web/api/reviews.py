"""`GET /api/v1/reviews/pending`: the items whose current gate the caller may decide now."""

from __future__ import annotations

from fastapi import APIRouter

from content.review import chain as workflow
from web.api.auth import CurrentUserDep
from web.api.present import Names, item_public
from web.api.schemas import ItemsPublic
from web.deps import SessionDep

router = APIRouter(prefix="/reviews", tags=["reviews"])


@router.get("/pending", response_model=ItemsPublic, summary="待我审核的稿件（含紧急发布后待补审）")
def pending(user: CurrentUserDep, session: SessionDep) -> ItemsPublic:
    items = workflow.pending_reviews(session, user=user)
    names = Names(session)
    return ItemsPublic(data=[item_public(session, it, names) for it in items], count=len(items), limit=len(items),
                       offset=0)
