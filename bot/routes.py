"""The bot's web routes: the WeChat callbacks. app composes them with the binding-code API
(web.api.binding_code) and, in sandbox mode, the chat simulator (sandbox.chat)."""

from fastapi import APIRouter

from bot.callbacks.routes import router as callbacks_router

router = APIRouter()
router.include_router(callbacks_router)
