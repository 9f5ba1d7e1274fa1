"""A guarded HTTP GET for URLs taken from content (the official account's body and cover images).

Every hop is checked: the host is resolved here, every address it resolves to must be public
(`content.addresses.is_public_ip`: no private, loopback, link-local, multicast, reserved, unspecified
or IPv4-mapped variants), and the connection goes to the address that was checked (no second DNS
lookup a rebinding server could answer differently). Redirects are followed by hand, at most
`max_redirects`, each hop checked again. Size and time are capped.

Only `allow` (host:port pairs an operator configured, e.g. the sandbox emulators) may be non-public;
URLs from content never get an allow-list.
"""

from __future__ import annotations

import ipaddress
import socket
from collections.abc import Callable
from urllib.parse import urljoin, urlsplit

import httpx

from content.addresses import is_public_ip, literal_ip

Resolver = Callable[[str, int], list[str]]


class FetchRefused(ValueError):
    """The URL may not be fetched (scheme, address, redirects, size); the message is for people."""


def system_resolver(host: str, port: int) -> list[str]:
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except socket.gaierror as exc:
        raise FetchRefused(f"无法解析域名 {host}") from exc
    return list(dict.fromkeys(info[4][0] for info in infos))


def _checked_address(host: str, port: int, allow: frozenset[str], resolve: Resolver) -> str:
    ip = literal_ip(host)
    addresses = [str(ip)] if ip is not None else resolve(host, port)
    if not addresses:
        raise FetchRefused(f"无法解析域名 {host}")
    if f"{host}:{port}" in allow:
        return addresses[0]
    for address in addresses:
        if not is_public_ip(ipaddress.ip_address(address.split("%", 1)[0])):
            raise FetchRefused(f"拒绝访问内网或保留地址：{host}（{address}）")
    return addresses[0]


def safe_get(url: str, *, max_bytes: int = 10 * 1024 * 1024, timeout: float = 15.0, max_redirects: int = 5,
             allow: frozenset[str] = frozenset(), resolve: Resolver = system_resolver,
             transport: httpx.BaseTransport | None = None) -> tuple[str, str, bytes]:
    """(final URL, content type, body) of a public http/https URL, or `FetchRefused` / `httpx.HTTPError`."""
    with httpx.Client(timeout=timeout, follow_redirects=False, transport=transport, trust_env=False) as client:
        for _hop in range(max_redirects + 1):
            parts = urlsplit(url)
            if parts.scheme not in ("http", "https") or not parts.hostname:
                raise FetchRefused(f"只能读取 http/https 地址：{url[:80]}")
            host = parts.hostname
            port = parts.port or (443 if parts.scheme == "https" else 80)
            address = _checked_address(host, port, allow, resolve)
            shown = f"[{address}]" if ":" in address else address
            target = f"{parts.scheme}://{shown}:{port}{parts.path or '/'}" + (f"?{parts.query}" if parts.query else "")
            extensions = {"sni_hostname": host} if parts.scheme == "https" else {}
            request = client.build_request("GET", target, headers={"Host": parts.netloc.rsplit("@", 1)[-1]},
                                           extensions=extensions)
            response = client.send(request, stream=True)
            try:
                if response.is_redirect:
                    location = response.headers.get("location", "")
                    if not location:
                        raise FetchRefused("重定向缺少目标地址")
                    url = urljoin(url, location)
                    continue
                response.raise_for_status()
                declared = response.headers.get("content-length", "")
                if declared.isdigit() and int(declared) > max_bytes:
                    raise FetchRefused(f"文件过大（超过 {max_bytes // (1024 * 1024)} MB）")
                body = bytearray()
                for chunk in response.iter_bytes():
                    body.extend(chunk)
                    if len(body) > max_bytes:
                        raise FetchRefused(f"文件过大（超过 {max_bytes // (1024 * 1024)} MB）")
                return url, response.headers.get("content-type", ""), bytes(body)
            finally:
                response.close()
    raise FetchRefused(f"重定向次数过多（超过 {max_redirects} 次）")
