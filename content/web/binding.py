"""微信绑定: shows a one-time code the user sends to the bot (`绑定 CODE`).

The code is made by the bot package (`POST /api/v1/me/binding-code`); `content` may not import
`bot`, so the page's script calls that API with a short-lived API token issued here for the
logged-in user, after a click (the token is in the page only, never in a URL or a log).
"""

from __future__ import annotations

from fastapi import APIRouter, Request

from content.api.auth import issue_token
from content.web.session import WebUserDep
from content.web.templating import render

router = APIRouter()
BINDING_API = "/api/v1/me/binding-code"


@router.get("/me/binding", name="web_binding")
def binding_page(request: Request, user: WebUserDep):
    available = route_exists_post(request.app, BINDING_API)
    secret = request.app.state.settings.secret_key.get_secret_value()
    return render(request, "binding.html", {
        "available": available, "api_token": issue_token(secret, user) if available else "",
        "bound_wecom": bool(user.wecom_userid), "bound_mp": bool(user.mp_openid),
    })  # fmt: skip


def route_exists_post(app, path: str) -> bool:
    from starlette.routing import Match

    scope = {"type": "http", "path": path, "method": "POST", "root_path": "", "headers": [], "query_string": b""}
    return any(r.matches(scope)[0] == Match.FULL for r in app.router.routes)
