"""Where a published item can be read: the link a group message or a notice's QR code points to.

Preference: the portal page, then the official-account article, then gongkai's own public page
(`/p/{org_code}/{item_id}`, served by `web.public`) for items on neither. `None` means "not yet":
the portal or official-account post is still on its way, so the caller should wait for its URL.
"""

from __future__ import annotations

from sqlmodel import Session, select

from content.models import Item, Organization, Publication

LIVE = ("sent", "confirmed")
IN_FLIGHT = ("pending", "claimed", "unknown")


def own_page(public_url: str, org_code: str, item_id: int) -> str:
    return f"{public_url.rstrip('/')}/p/{org_code}/{item_id}"


def item_link(session: Session, *, item_id: int, public_url: str) -> str | None:
    item = session.get(Item, item_id)
    if item is None:
        return None
    rows = session.exec(
        select(Publication).where(Publication.item_id == item_id, Publication.channel.in_(("portal", "mp")))
        .order_by(Publication.id.desc())
    ).all()  # fmt: skip
    for channel in ("portal", "mp"):
        mine = [p for p in rows if p.channel == channel]
        if not mine:
            continue
        latest = mine[0]
        if latest.state in LIVE and latest.remote_url:
            return latest.remote_url
        if latest.state in IN_FLIGHT:
            return None
    org = session.get(Organization, item.org_id)
    return own_page(public_url, org.code, item.id)
