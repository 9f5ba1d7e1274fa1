"""Login and logout pages (argon2, throttling and lock-out come from the API's `authenticate`)."""

from __future__ import annotations

from urllib.parse import quote

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse

from content import audit
from content.errors import DomainError
from web.api.auth import authenticate, client_address
from web.deps import SessionDep
from web.pages.session import (
    PASSWORD_PAGE,
    end_session,
    optional_user,
    read_form,
    safe_next,
    start_user_session,
)
from web.pages.templating import render

router = APIRouter()


def _after_login(user, next_path: str) -> str:
    """Where a logged-in user goes: the change form first when an admin reset their password."""
    if user.must_change_password:
        return f"{PASSWORD_PAGE}?next={quote(next_path, safe='/')}"
    return next_path


@router.get("/login", name="web_login")
def login_page(request: Request, session: SessionDep, next: str = "/"):
    user = optional_user(request, session)
    if user is not None:
        return RedirectResponse(_after_login(user, safe_next(next)), status_code=303)
    return render(request, "login.html", {"next": safe_next(next), "login": "", "errors": {}, "error": None})


@router.post("/login")
async def login_submit(request: Request, session: SessionDep):
    form = await read_form(request)
    login = str(form.get("login") or "").strip()
    password = str(form.get("password") or "")
    next_path = safe_next(str(form.get("next") or "/"))
    errors = {}
    if not login:
        errors["login"] = "请输入登录名"
    if not password:
        errors["password"] = "请输入密码"
    if len(login) > 64 or len(password) > 256:
        errors["login"] = "登录名或密码过长"
    ctx = {"next": next_path, "login": login, "errors": errors, "error": None}
    if errors:
        return render(request, "login.html", ctx, status=422)
    try:
        user = authenticate(session, login=login, password=password, address=client_address(request))
    except DomainError as exc:
        ctx["error"] = exc.message
        return render(request, "login.html", ctx, status=exc.status)
    audit.record(session, org_id=user.org_id, action="auth.web_login", target_type="user", target_id=user.id,
                 actor=user)
    response = RedirectResponse(_after_login(user, next_path), status_code=303)
    start_user_session(request, response, user, session)
    session.commit()
    return response


@router.post("/logout")
async def logout(request: Request, session: SessionDep):
    await read_form(request)
    user = optional_user(request, session)
    response = RedirectResponse("/login", status_code=303)
    end_session(request, response, session)
    if user is not None:
        audit.record(session, org_id=user.org_id, action="auth.logout", target_type="user", target_id=user.id,
                     actor=user, channel="web")
    session.commit()
    return response
