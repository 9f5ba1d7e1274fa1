"""Builds encrypted callback traffic exactly as WeCom / the official account send it (for the chat
simulator, tests and the benchmark), and opens the encrypted passive replies.

    cc = CallbackClient(channel_config(settings, "wecom"))
    params, body = cc.seal(cc.text("zhangsan", "同意 12"))
    httpx.post(f"{base}/wechat/work", params=params, content=body)
    cc.reply_text(response.content)    # -> "已同意 #12《…》…"
"""

from __future__ import annotations

import itertools
import secrets
import time
from xml.sax.saxutils import escape

import xmltodict
from wechatpy.crypto import WeChatCrypto

from bot.callbacks.crypto import decrypt, sign
from bot.config import ChannelConfig

_msg_ids = itertools.count(int(time.time() * 1000) % 10**12)


class CallbackClient:
    def __init__(self, cfg: ChannelConfig) -> None:
        self.cfg = cfg
        self.app_account = "gh_gongkai_sandbox" if cfg.channel == "mp" else cfg.receive_id

    def _head(self, sender: str, msg_type: str, create_time: int | None) -> str:
        agent = f"<AgentID>{self.cfg.agent_id}</AgentID>" if self.cfg.channel == "wecom" else ""
        return (f"<ToUserName><![CDATA[{self.app_account}]]></ToUserName>"
                f"<FromUserName><![CDATA[{sender}]]></FromUserName>"
                f"<CreateTime>{create_time or int(time.time())}</CreateTime>"
                f"<MsgType><![CDATA[{msg_type}]]></MsgType>{agent}")

    def text(self, sender: str, content: str, *, msg_id: int | None = None, create_time: int | None = None) -> str:
        msg_id = msg_id if msg_id is not None else next(_msg_ids)
        return (f"<xml>{self._head(sender, 'text', create_time)}<Content>{escape(content)}</Content>"
                f"<MsgId>{msg_id}</MsgId></xml>")

    def event(self, sender: str, event: str, *, event_key: str = "", response_code: str = "",
              create_time: int | None = None, extra: str = "") -> str:
        body = f"<Event><![CDATA[{event}]]></Event><EventKey><![CDATA[{event_key}]]></EventKey>"
        if response_code:
            body += f"<ResponseCode><![CDATA[{response_code}]]></ResponseCode>"
        return f"<xml>{self._head(sender, 'event', create_time)}{body}{extra}</xml>"

    def other(self, sender: str, msg_type: str, extra: str = "") -> str:
        return f"<xml>{self._head(sender, msg_type, None)}{extra}<MsgId>{next(_msg_ids)}</MsgId></xml>"

    def encrypt(self, plaintext: str, *, receive_id: str | None = None, aes_key: str | None = None) -> str:
        crypto = WeChatCrypto(self.cfg.token, aes_key or self.cfg.aes_key, receive_id or self.cfg.receive_id)
        envelope = crypto.encrypt_message(plaintext, "n")
        return xmltodict.parse(envelope)["xml"]["Encrypt"]

    def seal(self, inner_xml: str, *, timestamp: int | None = None, nonce: str | None = None,
             encrypted: str | None = None, token: str | None = None, **encrypt_kw) -> tuple[dict, bytes]:
        """(query params, body) of one POST; `encrypted` overrides the ciphertext (garbage tests)."""
        ts = str(timestamp if timestamp is not None else int(time.time()))
        nonce = nonce or secrets.token_hex(8)
        enc = encrypted if encrypted is not None else self.encrypt(inner_xml, **encrypt_kw)
        params = {"msg_signature": sign(token or self.cfg.token, ts, nonce, enc), "timestamp": ts, "nonce": nonce}
        if self.cfg.channel == "mp":
            params.update({"encrypt_type": "aes", "signature": sign(self.cfg.token, ts, nonce), "openid": "x"})
        agent = f"<AgentID><![CDATA[{self.cfg.agent_id}]]></AgentID>" if self.cfg.channel == "wecom" else ""
        to = f"<ToUserName><![CDATA[{self.app_account}]]></ToUserName>"
        body = f"<xml>{to}<Encrypt><![CDATA[{enc}]]></Encrypt>{agent}</xml>".encode()
        return params, body

    def open_reply(self, body: bytes | str) -> dict:
        """Verify and decrypt a passive reply; the inner XML as a dict."""
        outer = xmltodict.parse(body)["xml"]
        assert sign(self.cfg.token, outer["TimeStamp"], outer["Nonce"], outer["Encrypt"]) == outer["MsgSignature"]
        return xmltodict.parse(decrypt(self.cfg, outer["Encrypt"]))["xml"]

    def reply_text(self, body: bytes | str) -> str:
        return self.open_reply(body).get("Content") or ""
