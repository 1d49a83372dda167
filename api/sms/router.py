"""SMS routes: Twilio's two webhooks (signed), and linking a patient's number in the app."""

from __future__ import annotations

from typing import Annotated, TypeVar

from fastapi import APIRouter, Depends, Header, Request, Response, status
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from pydantic import ValidationError
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from api.chat.rasa_client import RasaClient
from api.core.deps import CurrentPatient, DbSession, Now, PolicyDep, SettingsDep
from api.core.errors import DomainError
from api.core.rate_limit import sms_limits
from api.sms import service, verification
from api.sms.numbers import NumberKeys, masked, normalise
from api.sms.schemas import (
    ConfirmIn,
    InboundSmsForm,
    LinkedPhoneOut,
    StatusCallbackForm,
    VerificationIn,
    VerificationOut,
)
from api.sms.sender import TwilioSender
from api.sms.webhook import FORM_CONTENT_TYPE, Form, check_signature, read_form, signed_url

router = APIRouter(prefix="/api/v1/sms", tags=["sms"])

TWIML = "application/xml"


def get_keys(settings: SettingsDep) -> NumberKeys:
    return NumberKeys.of(settings.twilio)


def get_sender(request: Request) -> TwilioSender:
    sender: TwilioSender = request.app.state.sms_sender
    return sender


def get_sessionmaker(request: Request) -> async_sessionmaker[AsyncSession]:
    sessionmaker: async_sessionmaker[AsyncSession] = request.app.state.sessionmaker
    return sessionmaker


def get_rasa(request: Request) -> RasaClient:
    rasa: RasaClient = request.app.state.rasa
    return rasa


async def signed_form(
    request: Request,
    settings: SettingsDep,
    x_twilio_signature: Annotated[str | None, Header(max_length=200)] = None,
) -> Form:
    """The posted form, once its Twilio signature is checked (403 otherwise)."""
    form = await read_form(request)
    check_signature(
        settings=settings,
        url=signed_url(settings, request),
        form=form,
        signature=x_twilio_signature,
    )
    return form


Keys = Annotated[NumberKeys, Depends(get_keys)]
Sender = Annotated[TwilioSender, Depends(get_sender)]
SignedForm = Annotated[Form, Depends(signed_form)]


_FormT = TypeVar("_FormT", InboundSmsForm, StatusCallbackForm)


def _parse(model: type[_FormT], form: Form) -> _FormT:
    try:
        return model.model_validate(dict(form))
    except ValidationError as exc:
        # The same error shape as every other route (values left out).
        raise RequestValidationError(exc.errors(include_input=False)) from None


def _form_body(model: type[InboundSmsForm] | type[StatusCallbackForm]) -> dict[str, object]:
    schema = model.model_json_schema(by_alias=True)
    return {"required": True, "content": {FORM_CONTENT_TYPE: {"schema": schema}}}


def _refusal(error: DomainError) -> JSONResponse:
    return JSONResponse({"code": error.code, "message": error.message}, error.status_code)


@router.post(
    "/twilio",
    response_class=Response,
    responses={200: {"description": "TwiML", "content": {TWIML: {"schema": {"type": "string"}}}}},
    openapi_extra={"requestBody": _form_body(InboundSmsForm)},
)
async def inbound_sms(
    form: SignedForm,
    request: Request,
    sessionmaker: Annotated[async_sessionmaker[AsyncSession], Depends(get_sessionmaker)],
    rasa: Annotated[RasaClient, Depends(get_rasa)],
    keys: Keys,
    policy: PolicyDep,
    settings: SettingsDep,
    now: Now,
) -> Response:
    """Twilio's inbound-message webhook: answers with TwiML, once per MessageSid."""
    fields = _parse(InboundSmsForm, form)
    reply = await service.handle_inbound(
        sessionmaker=sessionmaker,
        rasa=rasa,
        keys=keys,
        policy=policy,
        limiter=request.app.state.rate_limiter,
        limits=sms_limits(settings.rate_limits),
        message=service.InboundSms(
            message_sid=fields.message_sid,
            sender=fields.sender,
            body=fields.body,
            opt_out_type=fields.opt_out_type,
        ),
        now=now,
        request_id=request.state.request_id,
    )
    return Response(reply, media_type=TWIML)


@router.post(
    "/twilio/status",
    status_code=status.HTTP_204_NO_CONTENT,
    response_class=Response,
    openapi_extra={"requestBody": _form_body(StatusCallbackForm)},
)
async def delivery_status(form: SignedForm, session: DbSession, now: Now) -> Response:
    """Twilio's status callback for the texts we send: every report is recorded."""
    fields = _parse(StatusCallbackForm, form)
    await service.record_status(
        session=session,
        message_sid=fields.message_sid,
        status=fields.status,
        error_code=fields.error_code,
        now=now,
    )
    return Response(status_code=status.HTTP_204_NO_CONTENT)


@router.post(
    "/verifications",
    status_code=status.HTTP_202_ACCEPTED,
    response_model=VerificationOut,
    responses={422: {"description": "A rule was broken"}, 429: {"description": "Too many"}},
)
async def start_verification(
    body: VerificationIn,
    patient: CurrentPatient,
    session: DbSession,
    sender: Sender,
    keys: Keys,
    now: Now,
) -> VerificationOut | JSONResponse:
    """Text a one-time code to the patient's number; confirm it here or by replying."""
    number = normalise(body.phone_number)
    result = await verification.start(
        session=session, sender=sender, keys=keys, patient=patient, number=number, now=now
    )
    if isinstance(result, DomainError):
        return _refusal(result)
    return VerificationOut(phone_number=masked(number), expires_at=result.expires_at)


@router.post("/verifications/confirm", response_model=LinkedPhoneOut)
async def confirm_verification(
    body: ConfirmIn, patient: CurrentPatient, session: DbSession, keys: Keys, now: Now
) -> LinkedPhoneOut | JSONResponse:
    """Confirm the code: texts from the number then act for the patient."""
    result = await verification.confirm(
        session=session, keys=keys, patient=patient, code=body.code, now=now
    )
    if isinstance(result, DomainError):
        # Answered, not raised: the counted attempt is committed with the answer.
        return _refusal(result)
    return LinkedPhoneOut.of(result)


@router.get("/phone")
async def linked_phone(patient: CurrentPatient, session: DbSession, keys: Keys) -> LinkedPhoneOut:
    """The patient's linked number (404 without one)."""
    linked = await verification.current_link(session=session, keys=keys, patient=patient)
    return LinkedPhoneOut.of(linked)


@router.delete("/phone", status_code=status.HTTP_204_NO_CONTENT)
async def unlink_phone(patient: CurrentPatient, session: DbSession) -> None:
    """Texts from the number stop acting for the patient, and reminders stop."""
    await verification.unlink(session=session, patient=patient)
