"""Public, no-login pages: the lobby screen (`/screen/{org_code}`), feeds (`/feeds/…`) and the public
item page (`/p/{org_code}/{item_id}`). Only published items ever appear (`web.public.queries`)."""

from web.public.router import router

__all__ = ["router"]
