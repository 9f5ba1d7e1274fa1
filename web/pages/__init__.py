"""The staff web UI: server-rendered FastAPI + Jinja2 pages in Chinese.

`router` holds every page; `install_error_pages(app)` (called once by `app.factory`) turns errors
on web pages into Chinese HTML pages and a missing login into a redirect to /login.
"""

from fastapi import APIRouter, Depends, Request

from web.pages import (
    account_pages,
    auth_pages,
    binding,
    dashboard,
    docx_upload,
    editor,
    holiday_pages,
    item_media,
    items_list,
    preview_pages,
    publications_pages,
    register_pages,
    report_pages,
    review,
    settings_pages,
    static_files,
    uploads,
)
from web.pages.errors import install_error_pages


def _mark_web(request: Request) -> None:
    request.state.web_page = True


router = APIRouter(include_in_schema=False, dependencies=[Depends(_mark_web)])
# Order matters: literal paths (/items/new, /items/import-docx) before /items/{item_id}.
for _module in (static_files, auth_pages, account_pages, dashboard, docx_upload, uploads, editor, items_list, review, preview_pages,
                settings_pages, binding, publications_pages, report_pages,
                holiday_pages, register_pages, item_media):  # holidays before /registers/{slug}/…
    router.include_router(_module.router)

__all__ = ["install_error_pages", "router"]
