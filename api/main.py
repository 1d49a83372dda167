"""The FastAPI application: built by a factory, resources opened in the lifespan."""

from __future__ import annotations

import asyncio
import datetime as dt
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager

import httpx
from fastapi import FastAPI

from api.audit.router import router as audit_router
from api.certificates.router import clinician_router as certificates_clinician_router
from api.certificates.router import router as certificates_router
from api.chat.rasa_client import RasaClient
from api.chat.router import internal_router as chat_internal_router
from api.chat.router import router as chat_router
from api.chat.tracker_store import TrackerStore
from api.core.db import create_engine, create_sessionmaker, utcnow
from api.core.errors import install_error_handlers
from api.core.rate_limit import build_rate_limiter
from api.core.request_id import install_request_id
from api.core.settings import Settings, get_settings
from api.handoffs.router import internal_router as handoffs_internal_router
from api.health.router import router as health_router
from api.identity.authorization import SpentCodes
from api.identity.login_router import dev_router as login_dev_router
from api.identity.login_router import router as login_router
from api.identity.router import dev_router as auth_dev_router
from api.identity.router import router as auth_router
from api.jobs import JobContext, start_scheduler, stop_scheduler
from api.journal.router import clinician_router as journal_clinician_router
from api.notifications.notifier import Notifier, RecordingNotifier
from api.payments.provider import DevelopmentPaymentProvider, PaymentProvider
from api.payments.router import router as payments_router
from api.policy.rules import ClinicPolicy, get_policy
from api.prescriptions.prescription_list import StoredPrescriptionList
from api.prescriptions.router import clinician_router as renewals_clinician_router
from api.prescriptions.router import router as renewals_router
from api.privacy.router import router as privacy_router
from api.scheduling.router import clinician_router as scheduling_clinician_router
from api.scheduling.router import router as scheduling_router
from api.scheduling.router import support_router as scheduling_support_router
from api.sms.notifier import TwilioNotifier
from api.sms.numbers import NumberKeys
from api.sms.router import router as sms_router
from api.sms.sender import TwilioSender
from api.support.metrics_router import router as support_metrics_router
from api.support.router import router as support_inbox_router
from api.triage.router import clinician_router as triage_clinician_router
from api.triage.router import router as triage_router
from api.web.router import router as web_router
from video.consult_record import ConsultRecord
from video.ice import restrict_to_loopback, rtc_configuration
from video.join_tokens import JoinTokens
from video.rooms import RoomService
from video.router import router as video_router


def create_app(
    settings: Settings | None = None,
    *,
    policy: ClinicPolicy | None = None,
    clock: Callable[[], dt.datetime] | None = None,
    payment_provider: PaymentProvider | None = None,
    notifier: Notifier | None = None,
) -> FastAPI:
    """Build the app; settings are validated here so a bad configuration fails at start."""
    settings = settings or get_settings()

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        engine = create_engine(settings.database)
        app.state.engine = engine
        app.state.sessionmaker = create_sessionmaker(engine)
        app.state.rasa = RasaClient(settings.rasa)
        app.state.tracker_store = TrackerStore(settings.tracker_store_url)
        app.state.http = httpx.AsyncClient(timeout=5.0)
        record = ConsultRecord(
            sessionmaker=app.state.sessionmaker, policy=app.state.policy, clock=app.state.clock
        )
        app.state.rooms = RoomService(
            configuration=rtc_configuration(settings.video.parsed_ice_servers),
            loopback_only=settings.video.loopback_only,
            rejoin_grace_seconds=settings.video.rejoin_grace_seconds,
            empty_room_seconds=settings.video.empty_room_seconds,
            on_patient_joined=record.arrived,
            on_clinician_joined=record.started,
            on_ended=record.ended,
        )
        sweeper = asyncio.ensure_future(app.state.rooms.run_sweeper())
        scheduler = None
        if settings.scheduler.enabled:
            scheduler = start_scheduler(
                database_url=settings.database.url,
                context=JobContext(
                    sessionmaker=app.state.sessionmaker,
                    notifier=app.state.notifier,
                    provider=app.state.payment_provider,
                    policy=app.state.policy,
                    clock=app.state.clock,
                    public_url=settings.public_url,
                    tracker_store=app.state.tracker_store,
                    number_keys=NumberKeys.of(settings.twilio),
                ),
            )
        try:
            yield
        finally:
            sweeper.cancel()
            await app.state.rooms.close()
            if scheduler is not None:
                stop_scheduler(scheduler)
            await app.state.http.aclose()
            app.state.sms_sender.close()
            await app.state.rate_limiter.aclose()
            await app.state.rasa.aclose()
            await app.state.tracker_store.aclose()
            await engine.dispose()

    app = FastAPI(title="Telehealth assistant API", version="0.1.0", lifespan=lifespan)
    app.state.settings = settings
    app.state.policy = policy or get_policy()
    app.state.clock = clock or utcnow
    app.state.payment_provider = payment_provider or DevelopmentPaymentProvider()
    app.state.prescription_list = StoredPrescriptionList()
    app.state.sms_sender = TwilioSender(
        settings.twilio, status_callback_url=f"{settings.sms_public_base}/api/v1/sms/twilio/status"
    )
    # With a Twilio account, notifications are texted; without one they stay in the app.
    app.state.notifier = notifier or (
        TwilioNotifier(sender=app.state.sms_sender, keys=NumberKeys.of(settings.twilio))
        if app.state.sms_sender.configured
        else RecordingNotifier()
    )
    app.state.spent_authorization_codes = SpentCodes()
    if settings.video.loopback_only:
        restrict_to_loopback()
    app.state.join_tokens = JoinTokens(
        secret=settings.auth.secret_key.get_secret_value().encode(),
        ttl=dt.timedelta(minutes=settings.video.join_token_minutes),
    )
    app.state.rate_limiter = build_rate_limiter(settings.rate_limits.redis_url)
    install_error_handlers(app)
    install_request_id(app)
    app.include_router(health_router)
    app.include_router(auth_router)
    app.include_router(login_router)
    if settings.dev_login_allowed:
        app.include_router(auth_dev_router)
        app.include_router(login_dev_router)
    app.include_router(chat_router)
    app.include_router(chat_internal_router)
    app.include_router(handoffs_internal_router)
    app.include_router(scheduling_router)
    app.include_router(scheduling_clinician_router)
    app.include_router(scheduling_support_router)
    app.include_router(support_inbox_router)
    app.include_router(support_metrics_router)
    app.include_router(payments_router)
    app.include_router(renewals_router)
    app.include_router(renewals_clinician_router)
    app.include_router(privacy_router)
    app.include_router(audit_router)
    app.include_router(certificates_router)
    app.include_router(certificates_clinician_router)
    app.include_router(triage_router)
    app.include_router(triage_clinician_router)
    app.include_router(journal_clinician_router)
    app.include_router(sms_router)
    app.include_router(video_router)
    app.include_router(web_router)
    return app
