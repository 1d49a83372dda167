import pytest

from video.ice import IceServer, parse_ice_servers, rtc_configuration


def test_loopback_needs_no_ice_servers() -> None:
    assert parse_ice_servers("") == ()
    assert parse_ice_servers("[]") == ()
    assert rtc_configuration(()).iceServers == []


def test_stun_and_turn() -> None:
    servers = parse_ice_servers(
        '[{"urls": "stun:stun.example.no:3478"},'
        ' {"urls": ["turn:turn.example.no:3478?transport=udp", "turns:turn.example.no:5349"],'
        '  "username": "u", "credential": "c"}]'
    )
    assert servers[0] == IceServer(urls=("stun:stun.example.no:3478",))
    configuration = rtc_configuration(servers)
    assert [s.urls for s in configuration.iceServers] == [
        ["stun:stun.example.no:3478"],
        ["turn:turn.example.no:3478?transport=udp", "turns:turn.example.no:5349"],
    ]
    assert configuration.iceServers[1].username == "u"


@pytest.mark.parametrize(
    ("raw", "message"),
    [
        ("{", "not JSON"),
        ('{"urls": "stun:x"}', "JSON list"),
        ("[1]", "object"),
        ('[{"urls": 5}]', "'urls'"),
        ('[{"urls": []}]', "at least one URL"),
        ('[{"urls": "http://x"}]', "stun:"),
        ('[{"urls": "turn:x"}]', "username"),
    ],
)
def test_bad_configuration_is_refused_clearly(raw: str, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        parse_ice_servers(raw)
