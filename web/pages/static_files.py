"""Serves web/pages/static (CSS, JS, vendored libraries) under /static/."""

from __future__ import annotations

from fastapi import APIRouter, HTTPException
from fastapi.responses import FileResponse

from web.pages.templating import STATIC_DIR

router = APIRouter()
_ROOT = STATIC_DIR.resolve()
_TYPES = {".js": "text/javascript; charset=utf-8", ".css": "text/css; charset=utf-8",
          ".txt": "text/plain; charset=utf-8", ".svg": "image/svg+xml", ".png": "image/png"}


@router.get("/static/{path:path}", include_in_schema=False)
def static_file(path: str) -> FileResponse:
    target = (_ROOT / path).resolve()
    if not target.is_relative_to(_ROOT) or not target.is_file():
        raise HTTPException(404)
    # Vendored files carry their version in the path, so they may be cached for long.
    max_age = 31536000 if "/vendor/" in target.as_posix() else 3600
    return FileResponse(target, media_type=_TYPES.get(target.suffix),
                        headers={"Cache-Control": f"public, max-age={max_age}"})


@router.get("/favicon.ico", include_in_schema=False)
def favicon() -> FileResponse:
    """Browsers ask for /favicon.ico on pages that name no icon (Swagger UI, the sandbox pages); a 404
    there is a console error on every such page."""
    return FileResponse(_ROOT / "favicon.svg", media_type="image/svg+xml",
                        headers={"Cache-Control": "public, max-age=86400"})
