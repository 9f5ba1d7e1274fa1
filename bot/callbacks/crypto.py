"""Safe-mode crypto for the callbacks, on wechatpy's cipher, signer and WeChatCrypto.

Incoming messages are verified and decrypted strictly here rather than through
`WeChatCrypto.decrypt_message`: wechatpy 1.8.18 does not check the PKCS#7 padding or the length field,
so a wrong key could surface as any exception — even as a corp-id mismatch. Here every failure has one
meaning: `Rejected(403)` for signature / timestamp / receive-id problems (someone who is not the
platform), `Rejected(400)` for anything malformed. Replies are encrypted with wechatpy's WeChatCrypto.
"""

from __future__ import annotations

import base64
import binascii
import hmac
import struct
import time

import xmltodict
from wechatpy.crypto import WeChatCrypto
from wechatpy.crypto.cryptography import WeChatCipher
from wechatpy.utils import WeChatSigner

from bot.config import ChannelConfig

MAX_SKEW_SECONDS = 300


class Rejected(Exception):
    def __init__(self, status: int, code: str, message: str) -> None:
        super().__init__(message)
        self.status, self.code, self.message = status, code, message


def forbidden(code: str, message: str) -> Rejected:
    return Rejected(403, code, message)


def bad(code: str, message: str) -> Rejected:
    return Rejected(400, code, message)


def sign(*parts: str) -> str:
    signer = WeChatSigner()
    signer.add_data(*parts)
    return signer.signature


def check_timestamp(timestamp: str | None, now: float | None = None) -> None:
    try:
        ts = int(timestamp or "")
    except ValueError:
        raise forbidden("bad_timestamp", "时间戳无效") from None
    if abs((now if now is not None else time.time()) - ts) > MAX_SKEW_SECONDS:
        raise forbidden("stale_timestamp", "时间戳与服务器时间相差超过 5 分钟")


def check_signature(expected: str | None, *parts: str) -> None:
    if not expected or not hmac.compare_digest(sign(*parts).encode(), expected.encode("utf-8", "replace")):
        raise forbidden("bad_signature", "签名校验失败")


def safe_parse(xml: str | bytes) -> dict:
    """xmltodict with entities disabled; DOCTYPE refused outright (billion laughs, XXE)."""
    text = xml.decode("utf-8") if isinstance(xml, bytes) else xml
    if "<!DOCTYPE" in text.upper() or "<!ENTITY" in text.upper():
        raise bad("xml_entities", "XML 不得包含 DOCTYPE 或实体声明")
    try:
        doc = xmltodict.parse(text, disable_entities=True)
    except Exception as exc:  # noqa: BLE001 - ExpatError, ValueError("entities are disabled"), …
        raise bad("bad_xml", "XML 格式错误") from exc
    root = doc.get("xml") if isinstance(doc, dict) else None
    if not isinstance(root, dict):
        raise bad("bad_xml", "XML 缺少 <xml> 根元素")
    return root


def _key(cfg: ChannelConfig) -> bytes:
    return base64.b64decode(cfg.aes_key + "=")


def decrypt(cfg: ChannelConfig, encrypted: str) -> str:
    """Decrypt one Encrypt/echostr value; check padding, length and the receive id."""
    try:
        raw = base64.b64decode(encrypted, validate=True)
    except (binascii.Error, ValueError):
        raise bad("bad_base64", "密文不是有效的 Base64") from None
    if not raw or len(raw) % 16:
        raise bad("bad_block_length", "密文长度不是 AES 块长度的整数倍")
    key = _key(cfg)
    try:
        plain = WeChatCipher(key).decrypt(raw)
    except ValueError:
        raise bad("bad_ciphertext", "无法解密") from None
    pad = plain[-1]
    if not 1 <= pad <= 32 or plain[-pad:] != bytes([pad]) * pad:
        raise bad("bad_padding", "解密失败（密钥错误或密文损坏）")
    content = plain[16:-pad]
    if len(content) < 4:
        raise bad("bad_payload", "解密后的内容不完整")
    length = struct.unpack(">I", content[:4])[0]
    if length > len(content) - 4:
        raise bad("bad_payload", "解密后的长度字段无效")
    try:
        text = content[4 : 4 + length].decode("utf-8")
        receive_id = content[4 + length :].decode("utf-8")
    except UnicodeDecodeError:
        raise bad("bad_payload", "解密后的内容不是 UTF-8") from None
    if not hmac.compare_digest(receive_id.encode(), cfg.receive_id.encode()):
        raise forbidden("wrong_receive_id", "消息的企业/公众号标识与本系统不符")
    return text


def open_envelope(cfg: ChannelConfig, body: bytes, *, msg_signature: str | None, timestamp: str | None,
                  nonce: str | None) -> tuple[dict, str]:
    """Outer XML → (outer dict, decrypted inner XML). Order: parse, signature, timestamp, decrypt."""
    outer = safe_parse(body)
    encrypted = outer.get("Encrypt")
    if not isinstance(encrypted, str) or not encrypted:
        raise bad("no_encrypt", "缺少 Encrypt 字段（仅支持安全模式）")
    check_signature(msg_signature, cfg.token, timestamp or "", nonce or "", encrypted)
    check_timestamp(timestamp)
    return outer, decrypt(cfg, encrypted)


def seal(cfg: ChannelConfig, reply_xml: str, *, nonce: str, timestamp: str | None = None) -> str:
    """Encrypt a passive reply (wechatpy WeChatCrypto: both variants share the same envelope)."""
    return WeChatCrypto(cfg.token, cfg.aes_key, cfg.receive_id).encrypt_message(reply_xml, nonce, timestamp)
