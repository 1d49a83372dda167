"""Forwarding encoded media: the server relays VP8 and Opus as they arrive, never decoding.

A transcoding relay decodes and re-encodes every frame (about a quarter of a core per
consult at 640x480, 15 fps). Here each receiving side hands on the encoded frame as an
``av.Packet``, and aiortc's sender packs a packet into RTP as it is. Without a decoder in
between, keyframe requests (PLI/FIR) from the viewer are passed back to the source.
"""

from __future__ import annotations

import asyncio
import fractions
import logging
import threading
import time
from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING, Any

import av
from aiortc import RTCPeerConnection, RTCRtpReceiver, RTCRtpSender
from aiortc.mediastreams import MediaStreamError, MediaStreamTrack
from aiortc.rtp import RTCP_PSFB_FIR, RTCP_PSFB_PLI, RtcpPsfbPacket

logger = logging.getLogger(__name__)

VIDEO_CLOCK_RATE = 90_000
# Queued packets per viewer before the oldest are dropped; a viewer this far behind
# gets a fresh keyframe rather than an ever-growing delay.
MAX_QUEUED = 64
KEYFRAME_RETRY_SECONDS = 0.5


class _EncodedHandoff:
    """Stands in for a receiver's decoder queue (aiortc's ``queue.Queue`` of encoded frames).

    aiortc hands each complete frame to a decoder thread, which posts the decoded frame back
    to the event loop. Here the frame goes straight to the track's queue as an encoded
    ``av.Packet``, on the event loop, without the two thread hops. The receiver's worker
    thread still starts; it only waits here for the receiver to stop.
    """

    def __init__(self, track_queue: asyncio.Queue[Any]) -> None:
        self._track_queue = track_queue
        self._stopped = threading.Event()

    def put(self, item: Any) -> None:
        if item is None:  # the receiver is stopping
            self._stopped.set()
            return
        codec, encoded_frame = item
        packet = av.Packet(encoded_frame.data)
        packet.pts = encoded_frame.timestamp
        packet.time_base = fractions.Fraction(1, codec.clockRate)
        self._track_queue.put_nowait(packet)

    def get(self) -> None:
        self._stopped.wait()
        return None


def receive_encoded(receiver: RTCRtpReceiver) -> None:
    """Make a receiver's track yield encoded ``av.Packet`` objects instead of decoded frames.

    Call it from the peer connection's "track" event: aiortc starts the receiver (and
    reads the queue set here) only once the connection is being set up, after that event.
    """
    track_queue = getattr(receiver.track, "_queue", None)
    if not isinstance(track_queue, asyncio.Queue) or not hasattr(receiver, _DECODER_QUEUE):
        # Pinned aiortc (see requirements/app.txt) has both; a new release must be checked.
        raise RuntimeError("this aiortc release does not let a receiver hand frames on encoded")
    setattr(receiver, _DECODER_QUEUE, _EncodedHandoff(track_queue))


_DECODER_QUEUE = "_RTCRtpReceiver__decoder_queue"


def receiver_of(pc: RTCPeerConnection, track: MediaStreamTrack) -> RTCRtpReceiver:
    """The receiver of one of ``pc``'s remote tracks."""
    for transceiver in pc.getTransceivers():
        if transceiver.receiver.track is track:
            return transceiver.receiver
    raise ValueError("not a remote track of this peer connection")


# What a forwarded track carries: an encoded frame, not tied to any container stream.
# (PyAV's Packet is generic for type checkers only.)
if TYPE_CHECKING:
    EncodedPacket = av.Packet[Any]
else:
    EncodedPacket = av.Packet

KeyframeRequest = Callable[[], Awaitable[None]]


def keyframe_requester(receiver: RTCRtpReceiver) -> KeyframeRequest:
    """A callable that asks the sender behind ``receiver`` for a keyframe (RTCP PLI)."""

    async def request() -> None:
        for source in receiver.getSynchronizationSources():
            await receiver._send_rtcp_pli(source.source)

    return request


class ForwardedTrack(MediaStreamTrack):
    """What one participant is sent: the other participant's encoded media, or nothing.

    ``feed`` is called by the source's pump for every packet while the room is live.
    Timestamps are re-based so that they keep rising when the source changes (a
    participant who rejoins starts again at zero).
    """

    def __init__(self, kind: str) -> None:
        super().__init__()
        self.kind = kind
        self._queue: asyncio.Queue[EncodedPacket | None] = asyncio.Queue()
        self._request_keyframe: KeyframeRequest | None = None
        self._source_id: object = None
        self._offset: int | None = None
        self._last_out = -1
        # After a source change, delta frames are useless to the viewer's decoder.
        self._await_keyframe = kind == "video"
        self._asked_at = 0.0
        self._step = 3000 if kind == "video" else 960

    def set_source(self, source_id: object, request_keyframe: KeyframeRequest | None) -> None:
        """Follow a new source from its next packet (a rejoin or an admission)."""
        self._request_keyframe = request_keyframe
        if source_id != self._source_id:
            self._source_id = source_id
            self._offset = None
            self._await_keyframe = self.kind == "video"

    def feed(self, packet: EncodedPacket) -> None:
        if self.readyState != "live":
            return
        if self._queue.qsize() >= MAX_QUEUED:
            while not self._queue.empty():
                self._queue.get_nowait()
            self._await_keyframe = self.kind == "video"
            self.request_keyframe()
        if self._await_keyframe:
            if not is_vp8_keyframe(bytes(packet)):
                # Browsers ignore a keyframe request that follows another too closely, and
                # send keyframes only when asked: ask again until one comes.
                if time.monotonic() - self._asked_at >= KEYFRAME_RETRY_SECONDS:
                    self.request_keyframe()
                return
            self._await_keyframe = False
        pts = packet.pts or 0
        if self._offset is None:
            self._offset = self._last_out + self._step - pts
        out = pts + self._offset
        self._last_out = out
        packet.pts = out
        self._queue.put_nowait(packet)

    def request_keyframe(self) -> None:
        if self.kind == "video" and self._request_keyframe is not None:
            self._asked_at = time.monotonic()
            task = asyncio.ensure_future(self._request_keyframe())
            task.add_done_callback(_log_failure)

    async def recv(self) -> EncodedPacket:
        if self.readyState != "live":
            raise MediaStreamError
        packet = await self._queue.get()
        if packet is None:
            self.stop()
            raise MediaStreamError
        return packet

    def stop(self) -> None:
        if self.readyState == "live":
            self._queue.put_nowait(None)
        super().stop()


def is_vp8_keyframe(data: bytes) -> bool:
    """A VP8 frame's tag marks a keyframe with a 0 in its lowest bit (RFC 6386, 9.1)."""
    return len(data) >= 10 and not data[0] & 0x01 and data[3:6] == b"\x9d\x01\x2a"


def _log_failure(task: asyncio.Future[None]) -> None:
    if not task.cancelled() and task.exception() is not None:
        logger.debug("keyframe request failed: %s", task.exception())


def pass_keyframe_requests(sender: RTCRtpSender, track: ForwardedTrack) -> None:
    """Hand the viewer's PLI/FIR for ``sender`` on to the source of ``track``.

    aiortc's sender would only flag its own encoder, which forwarding never uses.
    """
    handle = sender._handle_rtcp_packet

    async def handle_rtcp_packet(packet: Any) -> None:
        if isinstance(packet, RtcpPsfbPacket) and packet.fmt in (RTCP_PSFB_PLI, RTCP_PSFB_FIR):
            track.request_keyframe()
        await handle(packet)

    sender._handle_rtcp_packet = handle_rtcp_packet  # type: ignore[method-assign]
