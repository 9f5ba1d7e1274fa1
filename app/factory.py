"""create_app(): the one place where the web app is assembled from the packages' routers."""

from __future__ import annotations

import logging

from fastapi import FastAPI
from sqlalchemy.engine import Engine

from app.health import install as install_callback_timer
from app.http_errors import install_error_handlers
from app.sandbox_wiring import with_sandbox_endpoints
from app.security_headers import install as install_security_headers
from content.db.db import make_engine
from content.settings import Settings
from web.pages import install_error_pages

log = logging.getLogger("gongkai")


def create_app(settings: Settings | None = None, *, engine: Engine | None = None) -> FastAPI:
    settings = with_sandbox_endpoints(settings or Settings())
    engine = engine or make_engine(settings.database_url)
    app = FastAPI(
        title="gongkai 政务公开发布系统",
        version="0.1.0",
        docs_url=None,  # /api/docs is web.pages.api_docs: vendored Swagger UI, no CDN, no inline script
        openapi_url="/api/openapi.json",
        redoc_url=None,
    )
    app.state.settings = settings
    app.state.engine = engine
    from bot.binding import create_code

    app.state.make_binding_code = create_code  # the web's 微信绑定 page asks it (content may not import bot)
    from scheduler.resend_guard import resend_guard

    app.state.resend_guard = resend_guard(settings, engine)  # 重新发送 asks WeChat first (content may not)
    from web.pages.docx_upload import docx_body_limit
    from web.pages.uploads import upload_body_limits

    install_error_handlers(app, max_body_bytes=settings.max_body_bytes,
                           path_limits={**upload_body_limits(settings), **docx_body_limit(settings)})
    install_callback_timer(app)
    install_security_headers(app)  # CSP, nosniff, frame and referrer policies on every response
    for router in _routers():
        app.include_router(router)
    if settings.sandbox:  # group robots' webhook emulator, so a demo robot group can be added and posted to
        from sandbox.robot import SANDBOX_PREFIX, robot_router, shared_robot_state

        app.include_router(robot_router(shared_robot_state()), prefix=SANDBOX_PREFIX)
    install_error_pages(app)  # web pages answer errors with Chinese HTML pages
    return app


def _routers() -> list:
    """Every feature's router, composed once (aiogram-style: one router per feature)."""
    from app.health import router as health
    from bot.routes import router as bot
    from sandbox.chat import router as sandbox_chat
    from web.api import router as content_api
    from web.api.binding_code import router as binding_code
    from web.api.publications import router as publications
    from web.pages import router as web
    from web.pages.api_docs import router as api_docs
    from web.pages.channels_pages import router as channels_pages
    from web.public import router as public

    # Routes are matched in order: the WeChat callbacks (the busiest path, with the platform's 5-second
    # limit) and the probes come first, so they skip matching the ~150 web and API routes.
    return [bot, health, binding_code, content_api, api_docs, web, public, channels_pages, publications,
            sandbox_chat]
