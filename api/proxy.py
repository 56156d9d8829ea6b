"""Whose X-Forwarded-For / X-Forwarded-Proto counts (issue 13 item 8).

Anyone can send `X-Forwarded-For`; only a reverse proxy we run may tell us who its client was.
TRUSTED_PROXIES (addresses or networks, default none) names those proxies. This is the outermost
ASGI layer, so the rate limits, the sign-in throttle, complaint limits, the form guard's origin
check and the logs all see the one resolved client:

- the direct peer is not a trusted proxy: it is the client, and the forwarded headers are ignored;
- it is: X-Forwarded-For is read from the right (each proxy appends the address it saw), skipping
  trusted proxies; the first address that is not one is the client (an entry that is not an address
  stops the walk at the proxy that passed it on). `X-Forwarded-Proto`'s last value (set by the
  nearest proxy) becomes the request's scheme.

`gongshi serve` starts uvicorn with its own proxy-header handling off (uvicorn would otherwise
trust 127.0.0.1), so this is the only place the headers are read.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Iterable

from litestar.types import ASGIApp, Receive, Scope, Send

Network = ipaddress.IPv4Network | ipaddress.IPv6Network


def parse_networks(values: Iterable[str]) -> tuple[Network, ...]:
    out = []
    for v in values:
        try:
            out.append(ipaddress.ip_network(v.strip(), strict=False))
        except ValueError as exc:
            raise ValueError(
                f"TRUSTED_PROXIES: {v!r} is not an IP address or network (e.g. 10.0.0.5, 10.0.0.0/24)"
            ) from exc
    return tuple(out)


def _address(raw: str) -> ipaddress.IPv4Address | ipaddress.IPv6Address | None:
    raw = raw.strip()
    if raw.startswith("["):  # [v6]:port
        raw = raw[1 : raw.find("]")] if "]" in raw else raw
    elif raw.count(":") == 1:  # v4:port
        raw = raw.split(":", 1)[0]
    try:
        return ipaddress.ip_address(raw)
    except ValueError:
        return None


def _trusted(addr: ipaddress.IPv4Address | ipaddress.IPv6Address | None, networks: tuple[Network, ...]) -> bool:
    return addr is not None and any(addr in n for n in networks)


def resolve_client(peer: str, forwarded_for: str | None, networks: tuple[Network, ...]) -> str:
    """The client's address for a request from `peer` carrying `forwarded_for`."""
    if not networks or not _trusted(_address(peer), networks) or not forwarded_for:
        return peer
    client = peer
    for hop in reversed([h for h in forwarded_for.split(",") if h.strip()]):
        addr = _address(hop)
        if addr is None:
            return client  # garbage left of a proxy: the proxy's peer is all we know
        client = str(addr)
        if not _trusted(addr, networks):
            return client
    return client


class ProxyHeaders:
    def __init__(self, app: ASGIApp, trusted: Iterable[str]) -> None:
        self.app = app
        self.networks = parse_networks(trusted)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] in ("http", "websocket") and self.networks:
            client = scope.get("client")
            peer = client[0] if client else ""
            if _trusted(_address(peer), self.networks):
                xff: list[str] = []
                proto = ""
                for k, v in scope.get("headers", []):
                    name = k.lower()
                    if name == b"x-forwarded-for":
                        xff.append(v.decode("latin-1"))
                    elif name == b"x-forwarded-proto":
                        proto = v.decode("latin-1").split(",")[-1].strip().lower()
                resolved = resolve_client(peer, ",".join(xff) or None, self.networks)
                scope = dict(scope)  # type: ignore[assignment]
                scope["client"] = (resolved, client[1] if client else 0)
                if proto in ("http", "https") and scope["type"] == "http":
                    scope["scheme"] = proto
        await self.app(scope, receive, send)
