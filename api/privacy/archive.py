"""The ZIP archive a patient downloads: JSON files and a README, written to a temporary file
that spills to disk when large, streamed out, and gone when closed."""

from __future__ import annotations

import asyncio
import datetime as dt
import enum
import json
import math
import tempfile
import uuid
import zipfile
from collections.abc import AsyncIterator, Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from typing import IO, Any

from sqlalchemy import inspect as sa_inspect

# Kept in memory up to this size; a larger archive goes to a temporary file on disk.
IN_MEMORY_BYTES = 8 * 1024 * 1024
CHUNK_BYTES = 64 * 1024


def record(row: object, *, leave_out: frozenset[str] = frozenset()) -> dict[str, Any]:
    """Every column of a stored row, by name: what the store holds, nothing interpreted."""
    mapper = sa_inspect(row).mapper
    return {
        attr.key: getattr(row, attr.key)
        for attr in mapper.column_attrs
        if attr.key not in leave_out
    }


def _plain(value: Any) -> Any:
    """json.dumps' fallback: the store's types written the way people read them."""
    if isinstance(value, dt.datetime | dt.date | dt.time):
        return value.isoformat()
    if isinstance(value, uuid.UUID):
        return str(value)
    if isinstance(value, enum.Enum):
        return value.value
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, bytes):
        return value.decode("utf-8", errors="replace")
    if isinstance(value, set | frozenset | tuple):
        return list(value)
    return repr(value)


def finite(value: Any) -> Any:
    """NaN and infinity are not JSON; a conversation event may hold them (Rasa's floats)."""
    if isinstance(value, float) and not math.isfinite(value):
        return None
    if isinstance(value, dict):
        return {str(k): finite(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [finite(v) for v in value]
    return value


def to_json(content: Any) -> bytes:
    """Readable UTF-8 JSON; text that is not valid Unicode is kept as JSON escapes."""
    clean = finite(content)
    try:
        return json.dumps(
            clean, indent=2, ensure_ascii=False, default=_plain, allow_nan=False
        ).encode("utf-8")
    except UnicodeEncodeError:
        # A lone surrogate (a broken emoji from a phone) has no UTF-8 form; escaped, it does.
        return json.dumps(clean, indent=2, ensure_ascii=True, default=_plain).encode("ascii")


@dataclass
class Archive:
    """A finished archive: its bytes in a temporary file, read out once, then closed."""

    file: IO[bytes]
    size: int
    filename: str
    names: list[str] = field(default_factory=list)

    async def chunks(self) -> AsyncIterator[bytes]:
        """The archive's bytes, read off the event loop; the file is closed at the end."""
        try:
            await asyncio.to_thread(self.file.seek, 0)
            while chunk := await asyncio.to_thread(self.file.read, CHUNK_BYTES):
                yield chunk
        finally:
            self.close()

    def close(self) -> None:
        self.file.close()


def _write(files: Mapping[str, Any], readme: str, at: dt.datetime, filename: str) -> Archive:
    spool = tempfile.SpooledTemporaryFile(max_size=IN_MEMORY_BYTES)  # noqa: SIM115 (closed by Archive)
    try:
        # ZIP stores local wall-clock times, from 1980 on.
        stamp = at.timetuple()[:6]
        with zipfile.ZipFile(spool, "w", compression=zipfile.ZIP_DEFLATED) as archive:
            entries = [("README.txt", readme.encode("utf-8"))]
            entries += [(name, to_json(content)) for name, content in files.items()]
            for name, data in entries:
                info = zipfile.ZipInfo(name, date_time=stamp)
                info.compress_type = zipfile.ZIP_DEFLATED
                archive.writestr(info, data)
        size = spool.tell()
    except BaseException:
        spool.close()
        raise
    return Archive(file=spool, size=size, filename=filename, names=["README.txt", *files])


async def build(
    *, files: Mapping[str, Any], readme: str, at: dt.datetime, filename: str
) -> Archive:
    """Encode and compress off the event loop (a long conversation is a lot of JSON)."""
    return await asyncio.to_thread(_write, files, readme, at, filename)
