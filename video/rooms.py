"""Consult rooms: one per consult, a patient and a clinician, the server in the media path.

Each participant has one peer connection to the server. The patient's media is received
and checked in the waiting room but goes nowhere until the clinician admits them; then
each side's encoded media is forwarded to the other. Nothing is recorded.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import secrets
import time
import uuid
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

from aiortc import (
    RTCConfiguration,
    RTCPeerConnection,
    RTCRtpReceiver,
    RTCRtpSender,
    RTCSessionDescription,
)

from video.advice import DeviceReport, advise
from video.forwarding import (
    ForwardedTrack,
    keyframe_requester,
    pass_keyframe_requests,
    receive_encoded,
    receiver_of,
)
from video.ice import loopback_candidates_only
from video.join_tokens import JoinClaims, JoinRefused, JoinRole
from video.media_check import SourcePump

logger = logging.getLogger(__name__)

KINDS = ("audio", "video")
# The codecs we forward as they are; a browser offering others still negotiates these.
FORWARDED_MIME_TYPES = {"audio": ("audio/opus",), "video": ("video/VP8", "video/rtx")}


class RoomState(StrEnum):
    WAITING = "waiting"  # the patient (if any) is in the waiting room
    LIVE = "live"  # admitted: media flows both ways
    ENDED = "ended"


class Presence(StrEnum):
    ABSENT = "absent"
    CONNECTED = "connected"
    AWAY = "away"  # dropped, within the grace period to rejoin


# Called with the room (consult) id and the participant's id.
RoomHook = Callable[[uuid.UUID, uuid.UUID], Awaitable[None]]


@dataclass
class Participant:
    room_id: uuid.UUID
    role: JoinRole
    subject: uuid.UUID
    pc: RTCPeerConnection
    key: str = field(default_factory=lambda: secrets.token_urlsafe(24))
    connection_id: str = field(default_factory=lambda: uuid.uuid4().hex)
    pumps: dict[str, SourcePump] = field(default_factory=dict)
    receivers: dict[str, RTCRtpReceiver] = field(default_factory=dict)
    outgoing: dict[str, ForwardedTrack] = field(
        default_factory=lambda: {kind: ForwardedTrack(kind) for kind in KINDS}
    )
    away_since: float | None = None
    round_trip_ms: float | None = None
    subscribers: set[asyncio.Queue[dict[str, Any] | None]] = field(default_factory=set)

    @property
    def presence(self) -> Presence:
        return Presence.AWAY if self.away_since is not None else Presence.CONNECTED

    async def close(self) -> None:
        for pump in self.pumps.values():
            await pump.close()
        for track in self.outgoing.values():
            track.stop()
        await self.pc.close()


@dataclass
class Room:
    id: uuid.UUID
    state: RoomState = RoomState.WAITING
    participants: dict[JoinRole, Participant] = field(default_factory=dict)
    empty_since: float | None = None
    ended_at: float | None = None

    def presence(self, role: JoinRole) -> Presence:
        participant = self.participants.get(role)
        return participant.presence if participant else Presence.ABSENT

    def snapshot(self, event: str) -> dict[str, Any]:
        return {
            "type": "room",
            "event": event,
            "state": self.state.value,
            "patient": self.presence(JoinRole.PATIENT).value,
            "clinician": self.presence(JoinRole.CLINICIAN).value,
        }


class RoomClosed(JoinRefused):
    def __init__(self) -> None:
        super().__init__("room_ended", "This consult has ended.", status_code=410)


@dataclass
class RoomService:
    """All rooms of this API process."""

    configuration: RTCConfiguration
    loopback_only: bool = False
    rejoin_grace_seconds: float = 60.0
    empty_room_seconds: float = 600.0
    # The consult's record: it starts when the clinician enters, ends when they end it.
    on_patient_joined: RoomHook | None = None
    on_clinician_joined: RoomHook | None = None
    on_ended: RoomHook | None = None
    rooms: dict[uuid.UUID, Room] = field(default_factory=dict)
    _peer_connections: set[RTCPeerConnection] = field(default_factory=set)

    # -- joining -------------------------------------------------------------------------

    async def join(
        self, claims: JoinClaims, offer: RTCSessionDescription
    ) -> tuple[Participant, RTCSessionDescription]:
        """Answer a participant's offer; they are in once the answer is returned."""
        room = self.rooms.setdefault(claims.room_id, Room(claims.room_id))
        if room.state is RoomState.ENDED:
            raise RoomClosed()
        previous = room.participants.get(claims.role)
        if previous is not None and previous.subject != claims.subject:
            raise JoinRefused(
                "room_full",
                f"Someone else is already in this consult as the {claims.role.value}.",
                status_code=409,
            )
        pc = RTCPeerConnection(self.configuration)
        self._peer_connections.add(pc)
        participant = Participant(room_id=room.id, role=claims.role, subject=claims.subject, pc=pc)
        try:
            await self._negotiate(participant, offer)
        except Exception:
            self._peer_connections.discard(pc)
            await participant.close()
            raise
        if self._ended(room):  # ended while we negotiated
            await self._drop_connection(participant)
            raise RoomClosed()
        hook = {
            JoinRole.PATIENT: self.on_patient_joined,
            JoinRole.CLINICIAN: self.on_clinician_joined,
        }[claims.role]
        if hook is not None:
            try:
                await hook(room.id, claims.subject)
            except Exception:
                await self._drop_connection(participant)
                raise
        # A rejoin (reload, new network): the new connection takes over at once, and the
        # old one is dropped only after, so that its closing is not taken for a departure.
        room.participants[claims.role] = participant
        room.empty_since = None
        self._wire(room)
        if previous is not None:
            for events in previous.subscribers:
                events.put_nowait(None)
            await self._drop_connection(previous)
        event = "rejoined" if previous is not None else f"{claims.role.value}_joined"
        self._publish(room, event)
        return participant, pc.localDescription

    async def _negotiate(self, participant: Participant, offer: RTCSessionDescription) -> None:
        pc = participant.pc

        @pc.on("track")
        def on_track(track: Any) -> None:
            if track.kind not in KINDS or track.kind in participant.pumps:
                return
            receive_encoded(receiver_of(pc, track))
            participant.pumps[track.kind] = SourcePump(track)

        @pc.on("connectionstatechange")
        async def on_state() -> None:
            if pc.connectionState in ("failed", "closed"):
                self.connection_lost(participant)

        if self.loopback_only:
            offer = RTCSessionDescription(sdp=loopback_candidates_only(offer.sdp), type=offer.type)
        await pc.setRemoteDescription(offer)
        for transceiver in pc.getTransceivers():
            kind = transceiver.kind
            if kind not in KINDS or kind in participant.receivers:
                # One camera and one microphone per participant; extra lines get nothing.
                continue
            participant.receivers[kind] = transceiver.receiver
            codecs = [
                codec
                for codec in RTCRtpSender.getCapabilities(kind).codecs
                if codec.mimeType in FORWARDED_MIME_TYPES[kind]
            ]
            transceiver.setCodecPreferences(codecs)
            sender = pc.addTrack(participant.outgoing[kind])
            pass_keyframe_requests(sender, participant.outgoing[kind])
        if set(participant.receivers) != set(KINDS):
            raise JoinRefused(
                "media_missing",
                "The consult needs both camera and microphone in the offer.",
                status_code=422,
            )
        await pc.setLocalDescription(await pc.createAnswer())

    @staticmethod
    def _ended(room: Room) -> bool:
        # A method, not an inline check: the state can change while a join awaits.
        return room.state is RoomState.ENDED

    def _wire(self, room: Room) -> None:
        """Point each participant's pumps at the other's outgoing tracks, or at nothing."""
        patient = room.participants.get(JoinRole.PATIENT)
        clinician = room.participants.get(JoinRole.CLINICIAN)
        pairs = [(patient, clinician), (clinician, patient)]
        for source, viewer in pairs:
            if source is None:
                continue
            flowing = (
                room.state is RoomState.LIVE
                and viewer is not None
                and source.away_since is None
                and viewer.away_since is None
            )
            for kind in KINDS:
                pump = source.pumps.get(kind)
                if pump is None:
                    continue
                if flowing and viewer is not None:
                    target = viewer.outgoing[kind]
                    if pump.target is not target:
                        target.set_source(
                            source.connection_id, keyframe_requester(source.receivers[kind])
                        )
                        pump.target = target
                        target.request_keyframe()
                else:
                    # Waiting room, or nobody to see it: received, counted, dropped.
                    pump.target = None

    # -- the clinician's actions ---------------------------------------------------------

    def participant(self, room_id: uuid.UUID, key: str) -> tuple[Room, Participant]:
        room = self.rooms.get(room_id)
        if room is not None:
            for participant in room.participants.values():
                if secrets.compare_digest(participant.key, key):
                    return room, participant
        raise JoinRefused("not_in_room", "You are not in this consult. Please join again.")

    async def admit(self, room_id: uuid.UUID, key: str) -> Room:
        room, participant = self.participant(room_id, key)
        if participant.role is not JoinRole.CLINICIAN:
            raise JoinRefused(
                "clinician_only", "Only the clinician can admit the patient.", status_code=403
            )
        if room.state is RoomState.ENDED:
            raise RoomClosed()
        if room.presence(JoinRole.PATIENT) is not Presence.CONNECTED:
            raise JoinRefused(
                "patient_not_waiting", "The patient is not in the waiting room.", status_code=409
            )
        if room.state is RoomState.LIVE:
            return room
        room.state = RoomState.LIVE
        self._wire(room)
        self._publish(room, "admitted")
        return room

    async def end(self, room_id: uuid.UUID, key: str) -> Room:
        room, participant = self.participant(room_id, key)
        if participant.role is not JoinRole.CLINICIAN:
            raise JoinRefused(
                "clinician_only", "Only the clinician can end the consult.", status_code=403
            )
        if self.on_ended is not None:
            await self.on_ended(room.id, participant.subject)
        await self._close_room(room, "ended")
        return room

    async def report(self, room_id: uuid.UUID, key: str) -> DeviceReport:
        _, participant = self.participant(room_id, key)
        return await self.device_report(participant)

    @staticmethod
    async def device_report(participant: Participant) -> DeviceReport:
        """What the server receives from this participant, and what to do if it is not enough."""
        video = participant.pumps["video"].report() if "video" in participant.pumps else None
        audio = participant.pumps["audio"].report() if "audio" in participant.pumps else None
        received = lost = 0
        for receiver in participant.receivers.values():
            for stats in (await receiver.getStats()).values():
                if stats.type == "inbound-rtp":
                    received += stats.packetsReceived
                    lost += max(stats.packetsLost, 0)
        loss = lost / (received + lost) if received + lost else None
        return advise(
            video=video, audio=audio, packet_loss=loss, round_trip_ms=participant.round_trip_ms
        )

    # -- subscriptions (the room's WebSocket) ----------------------------------------------

    def subscribe(self, participant: Participant) -> asyncio.Queue[dict[str, Any] | None]:
        events: asyncio.Queue[dict[str, Any] | None] = asyncio.Queue()
        participant.subscribers.add(events)
        room = self._room_of(participant)
        if (
            room is not None
            and participant.away_since is not None
            and participant.pc.connectionState == "connected"
        ):
            # Only the page's socket had dropped; the media never stopped.
            participant.away_since = None
            self._wire(room)
            self._publish(room, "rejoined")
        return events

    def unsubscribe(self, participant: Participant, events: asyncio.Queue[Any]) -> None:
        participant.subscribers.discard(events)
        # A closed page is a participant gone, as much as a failed connection.
        if not participant.subscribers:
            self.connection_lost(participant)

    def _publish(self, room: Room, event: str) -> None:
        message = room.snapshot(event)
        for participant in room.participants.values():
            for events in participant.subscribers:
                events.put_nowait(message)

    # -- leaving -----------------------------------------------------------------------------

    def _room_of(self, participant: Participant) -> Room | None:
        """The participant's room, while they are still its current one (not replaced)."""
        room = self.rooms.get(participant.room_id)
        if room is None or room.participants.get(participant.role) is not participant:
            return None
        return room

    def connection_lost(self, participant: Participant) -> None:
        room = self._room_of(participant)
        if room is not None and participant.away_since is None:
            participant.away_since = time.monotonic()
            self._wire(room)
            self._publish(room, f"{participant.role.value}_away")

    async def sweep(self) -> None:
        """Drop participants whose grace is over and close rooms left empty."""
        now = time.monotonic()
        for room in list(self.rooms.values()):
            if room.state is RoomState.ENDED:
                if room.ended_at is not None and now - room.ended_at > self.empty_room_seconds:
                    del self.rooms[room.id]
                continue
            for role, participant in list(room.participants.items()):
                away = participant.away_since
                if away is not None and now - away > self.rejoin_grace_seconds:
                    del room.participants[role]
                    await self._drop_connection(participant)
                    if room.state is RoomState.LIVE:
                        # Whoever comes back later is admitted again.
                        room.state = RoomState.WAITING
                    self._wire(room)
                    self._publish(room, f"{role.value}_left")
            if room.participants:
                room.empty_since = None
            elif room.empty_since is None:
                room.empty_since = now
            elif now - room.empty_since > self.empty_room_seconds:
                await self._close_room(room, "closed_empty")

    async def run_sweeper(self, interval: float = 1.0) -> None:
        while True:
            await asyncio.sleep(interval)
            try:
                await self.sweep()
            except Exception:
                logger.exception("room sweep failed")

    async def _drop_connection(self, participant: Participant) -> None:
        self._peer_connections.discard(participant.pc)
        with contextlib.suppress(Exception):
            await participant.close()

    async def _close_room(self, room: Room, event: str) -> None:
        room.state = RoomState.ENDED
        room.ended_at = time.monotonic()
        self._publish(room, event)
        participants = list(room.participants.values())
        for participant in participants:
            for events in participant.subscribers:
                events.put_nowait(None)
        room.participants.clear()
        for participant in participants:
            await self._drop_connection(participant)

    async def close(self) -> None:
        """Shut down: every room ends, every connection is closed."""
        for room in list(self.rooms.values()):
            if room.state is not RoomState.ENDED:
                await self._close_room(room, "closed_shutdown")
        self.rooms.clear()

    def open_peer_connections(self) -> int:
        return sum(1 for pc in self._peer_connections if pc.connectionState != "closed")
