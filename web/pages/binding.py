"""微信绑定: shows a one-time code the user sends to the bot (`绑定 CODE`).

The page never holds a bearer token (a script injected anywhere on this origin could read one): its
script asks `POST /me/binding/code` with the session cookie and the CSRF header. The code itself is
made by the bot package; `content` may not import `bot`, so app/factory.py hands the maker in as
`app.state.make_binding_code(session, user=..., secret_key=...) -> (code, expires_at)`.
"""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse

from content.errors import NotFound
from web.deps import SessionDep
from web.pages.session import CSRF_HEADER, WebUserDep, check_csrf
from web.pages.templating import render

router = APIRouter()


def _maker(request: Request):
    return getattr(request.app.state, "make_binding_code", None)


@router.get("/me/binding", name="web_binding")
def binding_page(request: Request, user: WebUserDep):
    return render(request, "binding.html", {
        "available": _maker(request) is not None,
        "bound_wecom": bool(user.wecom_userid), "bound_mp": bool(user.mp_openid),
    })  # fmt: skip


@router.post("/me/binding/code", name="web_binding_code")
def binding_code(request: Request, user: WebUserDep, session: SessionDep) -> JSONResponse:
    """A fresh code for the logged-in user (cookie session + X-CSRF-Token header)."""
    check_csrf(request, request.headers.get(CSRF_HEADER))
    maker = _maker(request)
    if maker is None:
        raise NotFound("bot_disabled", "微信机器人尚未启用")
    code, expires_at = maker(session, user=user,
                             secret_key=request.app.state.settings.secret_key.get_secret_value())
    session.commit()
    return JSONResponse({"code": code, "expires_at": expires_at.isoformat()},
                        headers={"Cache-Control": "no-store"})
