"""/api/docs: Swagger UI from the vendored swagger-ui-dist, so the API reference works without internet.

FastAPI's default page loads Swagger UI from a CDN (blank on an offline intranet) and starts it with an
inline script, which the app's Content-Security-Policy (script-src 'self') refuses. This page names
only local /static/ files; static/js/api-docs.js starts Swagger UI from the element's data attributes
(and un-nests its deep links from the operation buttons); static/css/api-docs.css, loaded after the
library's stylesheet, gives its colours WCAG 2 AA contrast.
"""

from __future__ import annotations

from html import escape

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse

SWAGGER_UI_VERSION = "5.36.0"
VENDOR = f"/static/vendor/swagger-ui-{SWAGGER_UI_VERSION}"
DOCS_PATH = "/api/docs"

router = APIRouter()


def docs_html(*, openapi_url: str, title: str) -> str:
    return f"""<!doctype html>
<html lang="zh-CN">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{escape(title)} · 接口文档</title>
<link rel="icon" href="/static/favicon.svg" type="image/svg+xml">
<link rel="stylesheet" href="{VENDOR}/swagger-ui.css">
<link rel="stylesheet" href="/static/css/api-docs.css">
</head>
<body>
<div id="swagger-ui" data-openapi-url="{escape(openapi_url)}"></div>
<script src="{VENDOR}/swagger-ui-bundle.js"></script>
<script src="/static/js/api-docs.js"></script>
</body>
</html>
"""


@router.get(DOCS_PATH, include_in_schema=False)
def api_docs(request: Request) -> HTMLResponse:
    app = request.app
    return HTMLResponse(docs_html(openapi_url=app.openapi_url or "/api/openapi.json", title=app.title))
