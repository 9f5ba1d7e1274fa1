"""JSON API under /api/v1 (OpenAPI at /api/docs). One sub-router per feature, composed here."""

from fastapi import APIRouter

from web.api import auth, files, items, registers, reports, reviews, users

router = APIRouter(prefix="/api/v1")
router.include_router(auth.router)
router.include_router(users.router)
router.include_router(items.router)
router.include_router(reviews.router)
router.include_router(registers.router)
router.include_router(reports.router)
router.include_router(files.router)
