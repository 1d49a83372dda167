"""Every record is masked and tagged, whichever library logs it and however it is printed."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Iterator

import pytest

from log_privacy import bind_request_id, current_request_id, install


@pytest.fixture
def records() -> Iterator[list[logging.LogRecord]]:
    original = logging.getLogRecordFactory()
    install()
    install()  # idempotent: one wrapper, not two
    captured: list[logging.LogRecord] = []

    class Keep(logging.Handler):
        def emit(self, record: logging.LogRecord) -> None:
            captured.append(record)

    logger = logging.getLogger("tests.log_privacy")
    handler = Keep()
    logger.addHandler(handler)
    logger.setLevel(logging.INFO)
    try:
        yield captured
    finally:
        logger.removeHandler(handler)
        logging.setLogRecordFactory(original)


def test_message_and_args_are_masked_and_args_keep_their_shape(
    records: list[logging.LogRecord],
) -> None:
    logging.getLogger("tests.log_privacy").info(
        "%s %s sent %r", "127.0.0.1", "+4791234567", "fnr 01017012345"
    )
    record = records[-1]
    assert isinstance(record.args, tuple) and len(record.args) == 3
    assert record.getMessage() == "127.0.0.1 [phone] sent '[national-id]'".replace(
        "'[national-id]'", "'fnr [national-id]'"
    )


def test_mapping_args_and_exceptions_are_masked(records: list[logging.LogRecord]) -> None:
    logger = logging.getLogger("tests.log_privacy")
    logger.info("%(who)s", {"who": "91234567"})
    try:
        raise ValueError("bad number 01017012345")
    except ValueError:
        logger.exception("failed")
    assert records[-2].getMessage() == "[phone]"
    formatted = logging.Formatter().format(records[-1])
    assert "01017012345" not in formatted and "[national-id]" in formatted


def test_request_id_is_on_every_record_inside_the_block(
    records: list[logging.LogRecord],
) -> None:
    logger = logging.getLogger("tests.log_privacy")
    with bind_request_id("req-12345678"):
        logger.info("inside")
    logger.info("outside")
    assert records[-2].getMessage() == "[request req-12345678] inside"
    assert records[-2].request_id == "req-12345678"
    assert records[-1].getMessage() == "outside"
    assert records[-1].request_id == "-"


async def test_tasks_started_inside_the_block_inherit_the_id() -> None:
    async def child() -> str | None:
        await asyncio.sleep(0)
        return current_request_id()

    with bind_request_id("abcdef123456"):
        task = asyncio.create_task(child())
    assert await task == "abcdef123456"
    assert current_request_id() is None


@pytest.mark.parametrize("bad", ["short", "has space in it", "%(x)s-injected-id", "x" * 65, ""])
def test_unsafe_request_ids_are_dropped(bad: str) -> None:
    with bind_request_id(bad):
        assert current_request_id() is None
