"""Login and logout pages (argon2 and lock-out come from the API's `authenticate`)."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse

from content import audit
from content.api.auth import authenticate
from content.deps import SessionDep
from content.errors import DomainError
from content.web.session import end_session, optional_user, read_form, safe_next, start_user_session
from content.web.templating import render

router = APIRouter()


@router.get("/login", name="web_login")
def login_page(request: Request, session: SessionDep, next: str = "/"):
    if optional_user(request, session) is not None:
        return RedirectResponse(safe_next(next), status_code=303)
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
        user = authenticate(session, login=login, password=password)
    except DomainError as exc:
        ctx["error"] = exc.message
        return render(request, "login.html", ctx, status=exc.status)
    audit.record(session, org_id=user.org_id, action="auth.web_login", target_type="user", target_id=user.id,
                 actor=user)
    session.commit()
    response = RedirectResponse(next_path, status_code=303)
    start_user_session(request, response, user)
    return response


@router.post("/logout")
async def logout(request: Request):
    await read_form(request)
    response = RedirectResponse("/login", status_code=303)
    end_session(response)
    return response
