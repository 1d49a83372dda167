"""ICE servers for the rooms' peer connections: none on loopback, STUN/TURN in production."""

from __future__ import annotations

import json
from dataclasses import dataclass

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
