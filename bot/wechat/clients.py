"""wechatpy clients whose API host is configurable and whose access_token lives in the database.

`fetch_access_token` is hard-coded to the official hosts in wechatpy 1.8.18; the subclasses send it
(and every other call) to `ChannelConfig.api_base` instead — the emulator in sandbox mode. wechatpy's own
auto-retry recurses without bound on a persistent 40001, so it is switched off and replaced by exactly
one refresh-and-retry on 40001/40014/42001.
"""

from __future__ import annotations

import logging
import os
from typing import TYPE_CHECKING

from requests import Session as HttpSession
from requests.utils import get_environ_proxies
from sqlalchemy.engine import Engine
from wechatpy import WeChatClient
from wechatpy.enterprise import WeChatClient as WeComBaseClient
from wechatpy.exceptions import WeChatClientException

from bot.config import MP_OFFICIAL, WECOM_OFFICIAL, ChannelConfig, channel_config
from bot.wechat.token_store import DbTokenStorage

if TYPE_CHECKING:
    from content.settings import Settings

log = logging.getLogger("gongkai.bot.wechat")
TOKEN_ERRORS = {40001, 40014, 42001}
TIMEOUT_SECONDS = 10


def pin_environment(http: HttpSession, base_url: str) -> None:
    """Read the proxy and CA-bundle environment once instead of on every call.

    With `trust_env` requests looks up the proxy variables, no_proxy and ~/.netrc again for each
    request (about a third of a send's CPU). Every call of a client goes to one host, so the answer
    is the same each time: take it now and switch the per-call lookup off.
    """
    http.proxies.update(get_environ_proxies(base_url))
    bundle = os.environ.get("REQUESTS_CA_BUNDLE") or os.environ.get("CURL_CA_BUNDLE")
    if bundle:
        http.verify = bundle
    http.trust_env = False


class _ConfigurableMixin:
    """Shared overrides: host rewriting, DB-cached token, one refresh on token errors."""

    _official: str
    _base: str
    _token_key: str
    session: DbTokenStorage

    @property
    def access_token_key(self) -> str:
        return self._token_key

    @property
    def access_token(self) -> str:
        token = self.session.fresh(self._token_key)
        if token:
            return token
        self.fetch_access_token()
        return self.session.get(self._token_key)

    def _request(self, method, url_or_endpoint, **kwargs):
        base = kwargs.pop("api_base_url", None) or f"{self._base}/cgi-bin/"
        if base.startswith(self._official):
            base = self._base + base[len(self._official):]
        url = url_or_endpoint
        if url.startswith(self._official):
            url = self._base + url[len(self._official):]
        kwargs["api_base_url"] = base
        params = dict(kwargs.get("params") or {})
        if "access_token" not in params:
            params["access_token"] = self.access_token
        used = params["access_token"]
        try:
            return super()._request(method, url, **{**kwargs, "params": dict(params)})
        except WeChatClientException as exc:
            if exc.errcode not in TOKEN_ERRORS:
                raise
            # Another process may have refreshed it meanwhile: take the stored one if it is newer.
            self.session.forget(self._token_key)
            stored = self.session.fresh(self._token_key)
            if stored is None or stored == used:
                log.info("access_token rejected (%s); refreshing once", exc.errcode)
                self.fetch_access_token()
                stored = self.session.get(self._token_key)
            return super()._request(method, url, **{**kwargs, "params": {**params, "access_token": stored}})


class WeComClient(_ConfigurableMixin, WeComBaseClient):
    _official = WECOM_OFFICIAL

    def __init__(self, cfg: ChannelConfig, storage: DbTokenStorage) -> None:
        self._base = cfg.api_base
        self._token_key = f"wecom:{cfg.receive_id}:{cfg.agent_id}"
        self.agent_id = cfg.agent_id
        super().__init__(cfg.receive_id, cfg.secret, session=storage, timeout=TIMEOUT_SECONDS,
                         auto_retry=False)
        pin_environment(self._http, self._base)

    def fetch_access_token(self):
        return self._fetch_access_token(url=f"{self._base}/cgi-bin/gettoken",
                                        params={"corpid": self.corp_id, "corpsecret": self.secret})


class MpClient(_ConfigurableMixin, WeChatClient):
    _official = MP_OFFICIAL

    def __init__(self, cfg: ChannelConfig, storage: DbTokenStorage) -> None:
        self._base = cfg.api_base
        self._token_key = f"mp:{cfg.receive_id}"
        super().__init__(cfg.receive_id, cfg.secret, session=storage, timeout=TIMEOUT_SECONDS,
                         auto_retry=False)
        pin_environment(self._http, self._base)

    def fetch_access_token(self):
        return self._fetch_access_token(
            url=f"{self._base}/cgi-bin/token",
            params={"grant_type": "client_credential", "appid": self.appid, "secret": self.secret},
        )


def wecom_client(engine: Engine, settings: Settings) -> WeComClient:
    cfg = channel_config(settings, "wecom")
    return WeComClient(cfg, DbTokenStorage(engine))


def mp_client(engine: Engine, settings: Settings) -> MpClient:
    cfg = channel_config(settings, "mp")
    return MpClient(cfg, DbTokenStorage(engine))
