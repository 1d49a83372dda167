"""SMS webhook latency through the whole system.

Starts the system as `make run` does (tools.run on free ports, temporary SQLite), then has
1 and 20 phones text at once through POST /api/v1/sms/twilio, each request signed as
Twilio signs it. A request's time is the whole webhook: form parsing and the signature
check, deduplication, the assistant's turn (Rasa and its actions) and the TwiML answer.
Each phone's conversation: a greeting, two FAQ questions, a symptom check answered with
numbered choices, HELP, and goodbye. Prints p50 / p99 per text.

    .venv/bin/python -m bench.sms [--rounds 3]
"""

from __future__ import annotations

import argparse
import asyncio
import sys
import time
import uuid

import httpx
from twilio.request_validator import RequestValidator

from api.core.settings import Settings
from bench.latency import latency_table

CONVERSATION = [
    "hei",
    "when are you open?",
    "hvor mye koster det å snakke med en lege?",
    "I have had a sore throat since monday",
    "7",  # none of the red flags
    "1",  # it is about me
    "HELP",
    "takk, ha det",
]


async def _phone(
    client: httpx.AsyncClient, api: str, signer: RequestValidator, url: str, latencies: list[float]
) -> None:
    number = f"+479{uuid.uuid4().int % 10_000_000:07d}"  # a new conversation every round
    for body in CONVERSATION:
        fields = {"MessageSid": "SM" + uuid.uuid4().hex, "From": number, "Body": body}
        headers = {"X-Twilio-Signature": signer.compute_signature(url, fields)}
        started = time.perf_counter()
        response = await client.post(f"{api}/api/v1/sms/twilio", data=fields, headers=headers)
        latencies.append(time.perf_counter() - started)
        response.raise_for_status()


async def _measure(api: str, phones: int, rounds: int) -> list[float]:
    settings = Settings()  # the system inherits this environment: same token, same URL
    signer = RequestValidator(settings.twilio.auth_token.get_secret_value())
    url = f"{settings.sms_public_base}/api/v1/sms/twilio"
    latencies: list[float] = []
    async with httpx.AsyncClient(timeout=120) as client:
        for _ in range(rounds):
            await asyncio.gather(
                *(_phone(client, api, signer, url, latencies) for _ in range(phones))
            )
    return latencies


def sms_latency(rounds: int) -> None:
    latency_table(_measure, label="phones", unit="texts", levels=(1, 20), rounds=rounds)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    sms_latency(args.rounds)
    return 0


if __name__ == "__main__":
    sys.exit(main())
