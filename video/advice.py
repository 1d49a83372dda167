"""The waiting room's device and network check: what arrives, and what to try if it does not.

The advice follows the clinic's troubleshooting answer (permissions for camera and
microphone, a stable connection, another room or mobile data, an up-to-date browser or
app, and a refund through support when a consult fails for technical reasons), in our
own words.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any

from video.media_check import TrackReport

# Below these the consult is hard to follow.
MIN_FRAMES_PER_SECOND = 5.0
MAX_PACKET_LOSS = 0.05
MAX_ROUND_TRIP_MS = 400.0

ADVICE = {
    "camera": (
        "We are not getting any picture from your camera. Let this page use the camera "
        "(the camera symbol in the address bar), close other apps that may be using it, "
        "and reload the page."
    ),
    "slow_video": (
        "Your picture reaches us only now and then. Close other apps and tabs that use the "
        "internet, or move closer to your wifi router."
    ),
    "microphone": (
        "We are not getting any sound from your microphone. Let this page use the "
        "microphone, check that it is not muted, and reload the page."
    ),
    "network": (
        "Your connection is unstable. Try another room, move closer to the router, or "
        "switch between wifi and mobile data (4G/5G)."
    ),
    "general": (
        "Still not working? Update your browser or the app and restart it. If a consult "
        "cannot take place for technical reasons, book a new time and contact support "
        "about a refund for this one."
    ),
}


@dataclass(frozen=True, slots=True)
class DeviceReport:
    camera: bool
    microphone: bool
    connection: bool
    video: TrackReport | None
    audio: TrackReport | None
    packet_loss: float | None
    round_trip_ms: float | None
    advice: list[str] = field(default_factory=list)

    @property
    def all_good(self) -> bool:
        return self.camera and self.microphone and self.connection

    def as_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data["all_good"] = self.all_good
        return data


def advise(
    *,
    video: TrackReport | None,
    audio: TrackReport | None,
    packet_loss: float | None,
    round_trip_ms: float | None,
) -> DeviceReport:
    camera = video is not None and video.per_second > 0
    smooth = video is not None and video.per_second >= MIN_FRAMES_PER_SECOND
    microphone = audio is not None and audio.per_second > 0 and bool(audio.sound)
    connection = (packet_loss is None or packet_loss <= MAX_PACKET_LOSS) and (
        round_trip_ms is None or round_trip_ms <= MAX_ROUND_TRIP_MS
    )
    advice = []
    if not camera:
        advice.append(ADVICE["camera"])
    elif not smooth:
        advice.append(ADVICE["slow_video"])
    if not microphone:
        advice.append(ADVICE["microphone"])
    if not connection:
        advice.append(ADVICE["network"])
    if advice:
        advice.append(ADVICE["general"])
    return DeviceReport(
        camera=camera,
        microphone=microphone,
        connection=connection,
        video=video,
        audio=audio,
        packet_loss=None if packet_loss is None else round(packet_loss, 4),
        round_trip_ms=round_trip_ms,
        advice=advice,
    )
