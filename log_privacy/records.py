"""A log record factory: every record, whatever handler prints it, is masked and tagged.

A filter or formatter would only cover the handlers we configure; Rasa and uvicorn add
their own. The record factory runs for every record any library creates.
"""

from __future__ import annotations

import contextvars
import logging
import re
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from typing import Any

from log_privacy.masking import mask

_REQUEST_ID: contextvars.ContextVar[str | None] = contextvars.ContextVar(
    "log_privacy_request_id", default=None
)
_MARK = "_log_privacy_factory"
# The API's own rule for request ids; anything else (it arrives in Rasa's metadata) is
# dropped rather than printed into every line.
_SAFE_ID = re.compile(r"[A-Za-z0-9._-]{8,64}")


def _safe(request_id: str | None) -> str | None:
    return request_id if request_id and _SAFE_ID.fullmatch(request_id) else None


def current_request_id() -> str | None:
    return _REQUEST_ID.get()


@contextmanager
def bind_request_id(request_id: str | None) -> Iterator[None]:
    """Tag the records logged inside this block (and the tasks it starts) with the id."""
    token = _REQUEST_ID.set(_safe(request_id))
    try:
        yield
    finally:
        _REQUEST_ID.reset(token)


def set_request_id(request_id: str | None) -> None:
    """For frameworks whose hooks cannot wrap the handler (a Sanic request middleware):
    set for the rest of the current task, which the next request's hook sets again."""
    _REQUEST_ID.set(_safe(request_id))


def _masked(value: Any) -> Any:
    if isinstance(value, str):
        return mask(value)
    if isinstance(value, Mapping):
        return {key: _masked(item) for key, item in value.items()}
    if isinstance(value, tuple):
        return tuple(_masked(item) for item in value)
    return value


def install() -> None:
    """Install the factory once per process (later calls change nothing)."""
    previous = logging.getLogRecordFactory()
    if getattr(previous, _MARK, False):
        return

    def factory(*args: Any, **kwargs: Any) -> logging.LogRecord:
        record = previous(*args, **kwargs)
        # The args keep their shape: uvicorn's access formatter reads them positionally.
        if isinstance(record.msg, str):
            record.msg = mask(record.msg)
        else:
            record.msg = mask(str(record.msg))
        if record.args:
            record.args = _masked(record.args)
        if record.exc_info and not record.exc_text:
            record.exc_text = mask(logging.Formatter().formatException(record.exc_info))
        request_id = _REQUEST_ID.get()
        record.request_id = request_id or "-"
        if request_id:
            record.msg = f"[request {request_id}] {record.msg}"
        return record

    setattr(factory, _MARK, True)
    logging.setLogRecordFactory(factory)
