"""Video routes: join tokens, signalling (offer / answer over HTTP), room actions, events.

The room's events go over a WebSocket; a browser cannot set headers on one, so the
participant key (handed out with the answer) comes as the socket's first message.
"""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import json
import uuid
from typing import Annotated, Any

from aiortc import RTCSessionDescription
from aiortc.sdp import SessionDescription
from fastapi import APIRouter, Header, Request, WebSocket, WebSocketDisconnect

from api.core.deps import CurrentPrincipal, DbSession, Now, SettingsDep
from api.scheduling import consults
from video.join_tokens import JoinRefused, JoinTokens
from video.rooms import Room, RoomService, RoomState
from video.schemas import DeviceCheckOut, IceServerOut, JoinIn, JoinOut, JoinTokenOut, RoomOut

router = APIRouter(prefix="/api/v1/video", tags=["video"])

# The page says who it is within this many seconds of opening the socket, or it is closed.
HELLO_SECONDS = 5.0
# How often a participant's own device check is pushed to their page.
CHECK_EVERY_SECONDS = 2.0
MAX_SOCKET_MESSAGE = 2000

ParticipantKey = Annotated[str, Header(alias="X-Participant-Key", min_length=10, max_length=100)]


def rooms_of(request: Request | WebSocket) -> RoomService:
    rooms: RoomService = request.app.state.rooms
    return rooms


def tokens_of(request: Request) -> JoinTokens:
    tokens: JoinTokens = request.app.state.join_tokens
    return tokens


@router.post("/consults/{appointment_id}/join-token")
async def issue_join_token(
    appointment_id: uuid.UUID,
    principal: CurrentPrincipal,
    session: DbSession,
    settings: SettingsDep,
    now: Now,
    request: Request,
) -> JoinTokenOut:
    """A single-use token to enter this consult's room as patient (or guardian) or clinician."""
    role = await consults.join_role(
        session=session,
        principal=principal,
        appointment_id=appointment_id,
        now=now,
        opens_before=dt.timedelta(minutes=settings.video.waiting_room_opens_minutes),
    )
    token, expires = tokens_of(request).issue(
        room_id=appointment_id, role=role, subject=principal.subject, now=now
    )
    return JoinTokenOut(
        token=token,
        room_id=appointment_id,
        role=role,
        expires_at=expires,
        ice_servers=[
            IceServerOut(urls=list(s.urls), username=s.username, credential=s.credential)
            for s in settings.video.parsed_ice_servers
        ],
    )


@router.get("/consults/{appointment_id}/room")
async def room_status(
    appointment_id: uuid.UUID, principal: CurrentPrincipal, session: DbSession, request: Request
) -> RoomOut:
    """The consult's room as its patient or clinician may see it: waiting, live or ended,
    and who is in it (for the chat's status line and the console's list)."""
    appointment, _ = await consults.room_role(
        session=session, principal=principal, appointment_id=appointment_id
    )
    room = rooms_of(request).rooms.get(appointment_id)
    if room is None:
        # Nobody has entered yet (or this process restarted): the booking says the rest.
        room = Room(appointment_id)
        if appointment.status not in consults.IN_PROGRESS:
            room.state = RoomState.ENDED
    return RoomOut(room=room.snapshot("status"))


@router.post("/rooms/{room_id}/join")
async def join_room(room_id: uuid.UUID, body: JoinIn, now: Now, request: Request) -> JoinOut:
    """Spend a join token: the offer is answered and the participant is in the room."""
    try:
        # aiortc's parser signals a malformed description with assorted exceptions (even
        # assertions); read it once here so that nothing else has to guess.
        SessionDescription.parse(body.sdp)
    except Exception:
        raise JoinRefused(
            "bad_offer", "The browser's offer could not be read.", status_code=422
        ) from None
    tokens = tokens_of(request)
    claims = tokens.redeem(body.token, room_id=room_id, role=body.role, now=now)
    rooms = rooms_of(request)
    try:
        offer = RTCSessionDescription(sdp=body.sdp, type=body.type)
        participant, answer = await rooms.join(claims, offer)
    except JoinRefused as refused:
        if refused.status_code == 422:
            # The offer was at fault, not the link: it stays usable for a better offer.
            tokens.release(claims)
        raise
    room = rooms.rooms[room_id]
    return JoinOut(
        sdp=answer.sdp,
        participant_key=participant.key,
        role=participant.role,
        room=room.snapshot("joined"),
    )


@router.post("/rooms/{room_id}/admit")
async def admit(room_id: uuid.UUID, key: ParticipantKey, request: Request) -> RoomOut:
    """The clinician lets the waiting patient in; media starts to flow both ways."""
    room = await rooms_of(request).admit(room_id, key)
    return RoomOut(room=room.snapshot("admitted"))


@router.post("/rooms/{room_id}/end")
async def end(room_id: uuid.UUID, key: ParticipantKey, request: Request) -> RoomOut:
    """The clinician ends the consult: the booking records the end, every connection closes."""
    room = await rooms_of(request).end(room_id, key)
    return RoomOut(room=room.snapshot("ended"))


@router.get("/rooms/{room_id}/check")
async def device_check(room_id: uuid.UUID, key: ParticipantKey, request: Request) -> DeviceCheckOut:
    """What the server receives from the caller's camera, microphone and connection."""
    report = await rooms_of(request).report(room_id, key)
    return DeviceCheckOut(report=report.as_dict())


@router.websocket("/rooms/{room_id}/events")
async def room_events(websocket: WebSocket, room_id: uuid.UUID) -> None:
    await websocket.accept()
    rooms = rooms_of(websocket)
    try:
        hello = await asyncio.wait_for(websocket.receive_text(), HELLO_SECONDS)
        key = _read(hello).get("key")
        if not isinstance(key, str):
            raise JoinRefused("not_in_room", "Say who you are first.")
        room, participant = rooms.participant(room_id, key)
    except (TimeoutError, JoinRefused, WebSocketDisconnect):
        with contextlib.suppress(Exception):
            await websocket.send_json({"type": "error", "code": "not_in_room"})
            await websocket.close(code=4401)
        return
    events = rooms.subscribe(participant)
    await websocket.send_json(room.snapshot("hello"))

    async def push_events() -> None:
        while (event := await events.get()) is not None:
            await websocket.send_json(event)
        await websocket.close(code=1000)

    async def push_checks() -> None:
        while True:
            report = await rooms.device_report(participant)
            await websocket.send_json({"type": "check", "report": report.as_dict()})
            await asyncio.sleep(CHECK_EVERY_SECONDS)

    async def read_client() -> None:
        while True:
            message = _read(await websocket.receive_text())
            if message.get("type") == "stats":
                rtt = message.get("round_trip_ms")
                if isinstance(rtt, int | float) and 0 <= rtt < 60_000:
                    participant.round_trip_ms = float(rtt)

    tasks = [asyncio.ensure_future(job()) for job in (push_events, push_checks, read_client)]
    try:
        await asyncio.wait(tasks, return_when=asyncio.FIRST_COMPLETED)
    finally:
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
        rooms.unsubscribe(participant, events)


def _read(text: str) -> dict[str, Any]:
    """A client message as a dict; anything else reads as an empty message."""
    if len(text) > MAX_SOCKET_MESSAGE:
        return {}
    try:
        value = json.loads(text)
    except ValueError:
        return {}
    return value if isinstance(value, dict) else {}
