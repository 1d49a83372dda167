"""ICE servers for the rooms' peer connections: none on loopback, STUN/TURN in production."""

from __future__ import annotations

import json
from dataclasses import dataclass

import aioice.ice
from aiortc import RTCConfiguration, RTCIceServer


@dataclass(frozen=True, slots=True)
class IceServer:
    urls: tuple[str, ...]
    username: str | None = None
    credential: str | None = None

    def __post_init__(self) -> None:
        if not self.urls:
            raise ValueError("an ICE server needs at least one URL")
        for url in self.urls:
            if not url.startswith(("stun:", "turn:", "turns:")):
                raise ValueError(f"ICE server URLs start with stun:, turn: or turns: (got {url!r})")
            if url.startswith("turn") and not (self.username and self.credential):
                raise ValueError("a TURN server needs a username and a credential")


def parse_ice_servers(raw: str) -> tuple[IceServer, ...]:
    """Parse the ``VIDEO_ICE_SERVERS`` JSON list (``[]`` or empty means loopback only)."""
    if not raw.strip():
        return ()
    try:
        items = json.loads(raw)
    except json.JSONDecodeError as exc:
        raise ValueError(f"VIDEO_ICE_SERVERS is not JSON: {exc.msg}") from None
    if not isinstance(items, list):
        raise ValueError("VIDEO_ICE_SERVERS must be a JSON list")
    servers = []
    for item in items:
        if not isinstance(item, dict):
            raise ValueError("each ICE server must be an object with 'urls'")
        urls = item.get("urls")
        url_list = [urls] if isinstance(urls, str) else urls
        if not isinstance(url_list, list) or not all(isinstance(u, str) for u in url_list):
            raise ValueError("'urls' must be a string or a list of strings")
        servers.append(
            IceServer(
                urls=tuple(url_list),
                username=item.get("username"),
                credential=item.get("credential"),
            )
        )
    return tuple(servers)


def rtc_configuration(servers: tuple[IceServer, ...]) -> RTCConfiguration:
    """The aiortc configuration for the server's side of each peer connection."""
    return RTCConfiguration(
        iceServers=[
            RTCIceServer(urls=list(s.urls), username=s.username, credential=s.credential)
            for s in servers
        ]
    )


LOOPBACK_ADDRESSES = ("127.0.0.1", "::1")


def restrict_to_loopback() -> None:
    """Gather host candidates on loopback only, for every peer connection of this process.

    aioice leaves 127.0.0.1 out of its host candidates; a development system (and every
    test) must instead use nothing else, so that no packet leaves for another interface.
    """
    aioice.ice.get_host_addresses = _loopback_addresses


def _loopback_addresses(use_ipv4: bool, use_ipv6: bool) -> list[str]:
    return ["127.0.0.1"] if use_ipv4 else []


def loopback_candidates_only(sdp: str) -> str:
    """The remote description without candidates we must not send to (non-loopback)."""
    kept = []
    for line in sdp.splitlines():
        if line.startswith("a=candidate:"):
            parts = line.split()
            if len(parts) < 5 or parts[4] not in LOOPBACK_ADDRESSES:
                continue
        kept.append(line)
    return "\r\n".join(kept) + "\r\n"
