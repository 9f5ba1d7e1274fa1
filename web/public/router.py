"""Routes of the public pages. No login, read-only, never an unpublished or withdrawn item."""

from __future__ import annotations

from pathlib import Path

import segno
from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response
from fastapi.templating import Jinja2Templates
from sqlmodel import Session

from annual.channel_figures import CHANNEL_NAMES
from channels.links import item_link, own_page
from content.errors import NotFound
from content.files.outbound import absolute_html, outbound_content
from content.html import sanitize
from content.models import Category, Department, Item, Organization
from content.outbox import live_channels, public_channel_labels
from content.timeutil import fmt_local, utcnow
from content.urls import safe_href
from web.deps import SessionDep
from web.public import queries as public
from web.public.feeds import FORMATS, Feed, FeedEntry, summary_of

router = APIRouter(tags=["public"], include_in_schema=False)
templates = Jinja2Templates(directory=str(Path(__file__).resolve().parent / "templates"))
templates.env.filters["safe_url"] = safe_href  # never a script URL from stored data
SCREEN_ITEMS = 8
SCREEN_REFRESH_SECONDS = 300
SLIDE_SECONDS = 12
FEED_ITEMS = 50


def _public_url(request: Request) -> str:
    return request.app.state.settings.public_url.rstrip("/")


def _link(session: Session, request: Request, org: Organization, item: Item) -> str:
    url = _public_url(request)
    return item_link(session, item_id=item.id, public_url=url) or own_page(url, org.code, item.id)


def _topic_names(session: Session, org_id: int) -> dict[int, str]:
    from sqlmodel import select

    rows = session.exec(select(Category.id, Category.name).where(Category.org_id == org_id)).all()
    return dict(rows)


def _qr_svg(link: str) -> str:
    return segno.make(link, error="m").svg_data_uri(scale=6, border=2, dark="#0b2545", light="#ffffff")


def _not_found_page(request: Request, message: str) -> HTMLResponse:
    return templates.TemplateResponse(request, "public_missing.html", {"message": message}, status_code=404)


@router.get("/screen/{org_code}", response_class=HTMLResponse)
def screen(request: Request, org_code: str, session: SessionDep) -> HTMLResponse:
    try:
        org = public.org_by_code(session, org_code)
    except NotFound as exc:
        return _not_found_page(request, exc.message)
    topics = _topic_names(session, org.id)
    slides = []
    for item in public.published_items(session, org_id=org.id, limit=SCREEN_ITEMS):
        link = _link(session, request, org, item)
        slides.append({
            "id": item.id, "title": item.title, "topic": topics.get(item.topic_id or 0, ""),
            "date": fmt_local(item.published_at or item.updated_at, "%Y年%m月%d日"),
            "summary": summary_of(item.digest, item.body_html, 160), "qr": _qr_svg(link),
        })  # fmt: skip
    figures = public.key_figures(session, org_id=org.id)
    context = {
        "org": org, "slides": slides, "figures": figures, "channel_names": CHANNEL_NAMES,
        "refresh": SCREEN_REFRESH_SECONDS, "slide_seconds": SLIDE_SECONDS,
        "generated": fmt_local(utcnow(), "%Y-%m-%d %H:%M"),
    }  # fmt: skip
    return templates.TemplateResponse(request, "screen.html", context, headers={"Cache-Control": "no-store"})


@router.get("/p/{org_code}/{item_id}", response_class=HTMLResponse)
def item_page(request: Request, org_code: str, item_id: int, session: SessionDep) -> HTMLResponse:
    try:
        org = public.org_by_code(session, org_code)
        item = public.published_item(session, org_id=org.id, item_id=item_id)
    except NotFound as exc:
        return _not_found_page(request, exc.message)
    dept = session.get(Department, item.department_id)
    context = {
        "org": org, "item": item, "issuer": f"{org.name}{dept.name if dept else ''}",
        "date": fmt_local(item.published_at or item.updated_at, "%Y年%m月%d日"),
        "body": absolute_html(sanitize(item.body_html), _public_url(request)),
        "topic": _topic_names(session, org.id).get(item.topic_id or 0, ""),
        "attachments": outbound_content({"attachments": item.attachments or []}, _public_url(request))["attachments"],
        "live": public_channel_labels(live_channels(session, [item.id]).get(item.id, [])),
    }  # fmt: skip
    return templates.TemplateResponse(request, "public_item.html", context)


@router.get("/feeds/{org_code}.{fmt}")
def feed(request: Request, org_code: str, fmt: str, session: SessionDep, topic: str | None = None) -> Response:
    if fmt not in FORMATS:
        raise NotFound("feed_format_unknown", "订阅格式只有 atom、rss、json 三种")
    org = public.org_by_code(session, org_code)
    topic_row = public.topic_by_name(session, org_id=org.id, name=topic) if topic else None
    items = public.published_items(session, org_id=org.id, topic_id=topic_row.id if topic_row else None,
                                   limit=FEED_ITEMS)
    topics = _topic_names(session, org.id)
    host = _public_url(request).split("://", 1)[-1].split("/", 1)[0].split(":", 1)[0] or "localhost"
    entries = [
        FeedEntry(
            id=f"tag:{host},2024:{org.code}:item:{item.id}", title=item.title, link=_link(session, request, org, item),
            summary=summary_of(item.digest, item.body_html),
            content_html=absolute_html(sanitize(item.body_html), _public_url(request)),  # readers fetch elsewhere
            published=item.published_at or item.updated_at, updated=item.published_at or item.updated_at,
            author=item.author or org.name, category=topics.get(item.topic_id or 0),
        )
        for item in items
    ]  # fmt: skip
    title = f"{org.name}政务公开" + (f"·{topic_row.name}" if topic_row else "")
    query = f"?{request.url.query}" if request.url.query else ""
    doc = Feed(
        title=title, home=f"{_public_url(request)}/screen/{org.code}",
        self_url=f"{_public_url(request)}/feeds/{org.code}.{fmt}{query}",
        id=f"tag:{host},2024:{org.code}:feed" + (f":{topic_row.id}" if topic_row else ""),
        updated=max((e.updated for e in entries), default=org.created_at), entries=entries,
    )  # fmt: skip
    render, media_type = FORMATS[fmt]
    return Response(render(doc), media_type=media_type, headers={"Cache-Control": "max-age=60"})
