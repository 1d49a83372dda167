"""Reading a Twilio webhook: a small form-encoded body, signed with the auth token.

Twilio signs the URL it called (the public one, which behind a proxy is not the one we
see) and every form field; the twilio library's RequestValidator checks that signature.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from urllib.parse import parse_qsl

from fastapi import Request
from twilio.request_validator import RequestValidator

from api.core.errors import DomainError, Forbidden
from api.core.settings import Settings

FORM_CONTENT_TYPE = "application/x-www-form-urlencoded"
# Twilio's forms are a few kB; a 1,600-character message percent-encoded stays far below.
MAX_BODY_BYTES = 64 * 1024
MAX_FIELDS = 200


class BadWebhookRequest(DomainError):
    status_code = 400
    code = "bad_request"


class BodyTooLarge(DomainError):
    status_code = 413
    code = "body_too_large"


class UnsupportedMediaType(DomainError):
    status_code = 415
    code = "unsupported_media_type"


class Form(dict[str, str]):
    """The form's first value per field, with every value kept for the signature."""

    def __init__(self, pairs: Iterable[tuple[str, str]]) -> None:
        super().__init__()
        self._values: defaultdict[str, list[str]] = defaultdict(list)
        for name, value in pairs:
            self._values[name].append(value)
            self.setdefault(name, value)

    def getall(self, name: str) -> list[str]:
        """Every value of a field (RequestValidator signs them all)."""
        return list(self._values[name])


async def _read_body(request: Request) -> bytes:
    declared = request.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > MAX_BODY_BYTES:
        raise BodyTooLarge(f"The request body is larger than {MAX_BODY_BYTES} bytes.")
    body = bytearray()
    async for chunk in request.stream():
        body.extend(chunk)
        if len(body) > MAX_BODY_BYTES:
            raise BodyTooLarge(f"The request body is larger than {MAX_BODY_BYTES} bytes.")
    return bytes(body)


async def read_form(request: Request) -> Form:
    """The form Twilio posted; 413, 415 or 400 for anything else."""
    media_type = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if media_type != FORM_CONTENT_TYPE:
        raise UnsupportedMediaType(f"Twilio webhooks are sent as {FORM_CONTENT_TYPE}.")
    body = await _read_body(request)
    try:
        pairs = parse_qsl(
            body.decode("ascii"),
            keep_blank_values=True,
            encoding="utf-8",
            errors="strict",
            max_num_fields=MAX_FIELDS,
        )
    except UnicodeDecodeError:
        raise BadWebhookRequest("The form is not UTF-8 text.", code="invalid_encoding") from None
    except ValueError:
        raise BadWebhookRequest(f"The form has more than {MAX_FIELDS} fields.") from None
    return Form(pairs)


def signed_url(settings: Settings, request: Request) -> str:
    """The URL Twilio called, as it wrote it: the public base, our path, the query."""
    query = request.url.query
    return settings.sms_public_base + request.url.path + (f"?{query}" if query else "")


def check_signature(*, settings: Settings, url: str, form: Form, signature: str | None) -> None:
    """403 unless the form was signed with our auth token for this URL."""
    if not signature:
        raise Forbidden("The request is not signed (X-Twilio-Signature).", code="invalid_signature")
    validator = RequestValidator(settings.twilio.auth_token.get_secret_value())
    if not validator.validate(url, form, signature):
        raise Forbidden("The request's signature is not valid.", code="invalid_signature")
    account = form.get("AccountSid")
    if settings.twilio.account_sid and account and account != settings.twilio.account_sid:
        raise Forbidden("The request is for another Twilio account.", code="wrong_account")
