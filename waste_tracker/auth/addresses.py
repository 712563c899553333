"""The client address the log-in limit counts, behind trusted proxies or not.

Forwarded headers are believed only when the peer is a configured proxy (``trusted_proxies``,
addresses or networks). Then ``X-Forwarded-For`` is read from the right: each trusted proxy
appends the address it saw, so the first address from the right that is not a trusted proxy is
the client; anything further left was written by the client and is ignored (a rotating value
there escapes nothing). Addresses are normalised (``ipaddress``), so what is stored is what is
compared.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Iterable
from functools import cache

Network = ipaddress.IPv4Network | ipaddress.IPv6Network


@cache
def _networks(proxies: tuple[str, ...]) -> tuple[Network, ...]:
    return tuple(ipaddress.ip_network(p, strict=False) for p in proxies)


def normalise(address: str | None) -> str:
    """An IP address in its compressed form, or ``unknown`` for anything else."""
    try:
        ip = ipaddress.ip_address((address or "").strip())
    except ValueError:
        return "unknown"
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        ip = ip.ipv4_mapped
    return str(ip)


def _trusted(address: str, proxies: tuple[Network, ...]) -> bool:
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return False
    return any(ip in net for net in proxies)


def client_address(peer: str | None, forwarded_for: Iterable[str], trusted_proxies: Iterable[str]) -> str:
    """The client as the limit counts it: ``peer`` unless it is a trusted proxy, then the
    right-most untrusted address of ``X-Forwarded-For`` (all header lines, in order)."""
    proxies = _networks(tuple(trusted_proxies))
    here = normalise(peer)
    if not proxies or not _trusted(here, proxies):
        return here
    hops = [normalise(h) for line in forwarded_for for h in line.split(",") if h.strip()]
    for hop in reversed(hops):
        if not _trusted(hop, proxies):
            return hop
    return hops[0] if hops else here
