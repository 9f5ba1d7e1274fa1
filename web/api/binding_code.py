"""`POST /api/v1/me/binding-code`: a one-time code to bind WeCom or the official account to this user."""

from __future__ import annotations

from datetime import datetime

from fastapi import APIRouter, Request
from pydantic import BaseModel

from bot.binding import create_code
from web.api.auth import CurrentUserDep
from web.deps import SessionDep

router = APIRouter(prefix="/api/v1/me", tags=["bot"])


class BindingCodeOut(BaseModel):
    code: str
    expires_at: datetime


@router.post("/binding-code", response_model=BindingCodeOut, summary="获取微信绑定码（10 分钟内有效，只能使用一次）")
def binding_code(user: CurrentUserDep, session: SessionDep, request: Request) -> BindingCodeOut:
    code, expires_at = create_code(session, user=user,
                                   secret_key=request.app.state.settings.secret_key.get_secret_value())
    session.commit()
    return BindingCodeOut(code=code, expires_at=expires_at)
