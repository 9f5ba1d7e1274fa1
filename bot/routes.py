"""The bot's web routes, composed once: callbacks, the binding-code API, the sandbox chat simulator."""

from fastapi import APIRouter

from bot.api import router as api_router
from bot.callbacks.routes import router as callbacks_router
from bot.sandbox.chat import router as chat_router

router = APIRouter()
router.include_router(callbacks_router)
router.include_router(api_router)
router.include_router(chat_router)
