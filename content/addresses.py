"""Is an address public? One classification for the submit-time link check and the guarded fetcher.

Hosts are read the way resolvers and browsers read them, so `127.1`, `0x7f.0.0.1`, `0177.0.0.1`,
`2130706433`, `[::1]` and `[::ffff:127.0.0.1]` are all loopback here too.
"""

from __future__ import annotations

import ipaddress
import socket

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address


def literal_ip(host: str) -> IPAddress | None:
    """The IP a host name denotes by itself (any IPv4 notation inet_aton accepts, IPv6 with or without []), else None."""
    host = (host or "").strip().rstrip(".")
    if host.startswith("[") and host.endswith("]"):
        host = host[1:-1]
    if not host:
        return None
    try:
        return ipaddress.ip_address(host.split("%", 1)[0])
    except ValueError:
        pass
    if all(part and all(c in "0123456789abcdefxABCDEFX" for c in part) for part in host.split(".")):
        try:
            return ipaddress.IPv4Address(socket.inet_aton(host))
        except OSError:
            return None
    return None


def is_public_ip(ip: IPAddress) -> bool:
    """False for private, loopback, link-local, multicast, reserved, unspecified, shared and mapped/embedded ones."""
    if isinstance(ip, ipaddress.IPv6Address):
        embedded = ip.ipv4_mapped or ip.sixtofour or (ip.teredo[1] if ip.teredo else None)
        if embedded is not None:
            return is_public_ip(embedded)
        if ip in ipaddress.ip_network("64:ff9b::/96"):  # NAT64 of an IPv4 address
            return is_public_ip(ipaddress.IPv4Address(int(ip) & 0xFFFFFFFF))
    return ip.is_global and not (ip.is_multicast or ip.is_reserved or ip.is_unspecified or ip.is_loopback
                                 or ip.is_link_local or ip.is_private)
