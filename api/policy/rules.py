"""The clinic's rules, read from clinic.yml. Every other module asks here; none re-states a rule."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from enum import StrEnum
from functools import cached_property, lru_cache
from pathlib import Path
from typing import Any, Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import yaml
from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

POLICY_FILE = Path(__file__).with_name("clinic.yml")


class Service(StrEnum):
    DOCTOR_CONSULT = "doctor_consult"
    PSYCHOLOGIST_SESSION = "psychologist_session"
    PRESCRIPTION_RENEWAL = "prescription_renewal"
    NEW_PRESCRIPTION = "new_prescription"


class BookingMode(StrEnum):
    SCHEDULED = "scheduled"
    DROP_IN = "drop_in"


class RedFlag(StrEnum):
    """Warning signs a symptom check asks about; the policy says how urgent each one is."""

    BREATHING_DIFFICULTY = "breathing_difficulty"
    CHEST_PAIN = "chest_pain"
    CONFUSION = "confusion"
    RASH_OR_STIFF_NECK = "rash_or_stiff_neck"
    SEVERE_BLEEDING = "severe_bleeding"
    SEVERE_PAIN = "severe_pain"


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class OpeningHours(_Strict):
    opens: dt.time
    closes: dt.time

    @model_validator(mode="after")
    def _opens_before_closing(self) -> OpeningHours:
        if self.opens >= self.closes:
            raise ValueError("opening hours must open before they close")
        return self


class ServicePolicy(_Strict):
    price_ore: int = Field(ge=0)
    insurance_covered: bool
    clinician_kind: Literal["doctor", "psychologist"] | None = None
    slot_minutes: int | None = Field(default=None, gt=0, le=240)
    modes: tuple[BookingMode, ...] = ()
    book_by_previous_day: bool = False


class Insurer(_Strict):
    name: str


class InsurancePolicy(_Strict):
    insurers: dict[str, Insurer]
    children_covered_below_age: int = Field(gt=0)


class AppointmentPolicy(_Strict):
    reminders_before_minutes: tuple[int, ...]
    no_show_after_end_minutes: int = Field(ge=0)


class GuardianPolicy(_Strict):
    act_for_children_below_age: int = Field(gt=0)


class CancellationWindow(_Strict):
    min_notice_minutes: int = Field(ge=0)


class DoctorLateRule(_Strict):
    more_than_minutes: int = Field(ge=0)
    booked_at_least_days_ahead: int = Field(ge=0)
    drop_in: bool


class SettlementDays(_Strict):
    min: int = Field(ge=0)
    max: int = Field(ge=0)


class RefundPolicy(_Strict):
    settlement_business_days: SettlementDays
    cancelled_in_time: Literal["automatic"]
    completed: Literal["none"]
    patient_late_or_absent: Literal["none"]
    doctor_late: DoctorLateRule
    technical_failure: Literal["through_support"]


class Exclusions(_Strict):
    reseptgrupper: tuple[str, ...] = ()
    substances: tuple[str, ...] = ()
    flags: tuple[str, ...] = ()
    not_dispensed_within_months: int | None = None


class PrescriptionPolicy(_Strict):
    max_supply_days: int = Field(gt=0)
    consent_required: Literal["prescription_list"]
    never_prescribed: Exclusions


class RenewalPolicy(_Strict):
    handled_within_minutes: int = Field(gt=0)
    # The database's partial unique index holds exactly this number; it cannot vary.
    open_requests_per_patient: Literal[1]
    refund_if_refused: bool
    max_supply_days: int = Field(gt=0)
    consult_requested: Literal["refund_and_book"]
    not_renewable: Exclusions
    parents_for_children: bool


class CertificatePolicy(_Strict):
    allowed: bool
    where_instead: str | None = None
    requires: tuple[str, ...] = ()
    # school absence only
    for_: tuple[str, ...] = Field(default=(), alias="for")
    min_days: int | None = None
    max_days: int | None = None
    starts: str | None = None
    refused_for: tuple[str, ...] = ()
    refused_where_instead: str | None = None

    @model_validator(mode="after")
    def _refusals_say_where(self) -> CertificatePolicy:
        if not self.allowed and not self.where_instead:
            raise ValueError("a refused certificate kind must say where to go instead")
        return self


class PrivacyPolicy(_Strict):
    erase_non_medical_within_days: int = Field(gt=0)
    non_medical_data: tuple[
        Literal["phone", "email", "notification_texts", "conversations", "support_transcripts"],
        ...,
    ]
    export_available_hours: int = Field(gt=0, le=24 * 7)
    consults_recorded: Literal[False]
    data_region: str


class TriagePolicy(_Strict):
    """Symptom-check thresholds; api/triage/rules.py applies them."""

    fever_from_celsius: float = Field(ge=37.0, le=39.0)
    urgent_fever_from_celsius: float = Field(le=42.0)
    infant_fever_urgent_below_months: int = Field(gt=0)
    child_fever_consult_below_months: int = Field(gt=0)
    fever_consult_after_days: float = Field(ge=0)
    consult_from_severity: int = Field(ge=1, le=10)
    urgent_from_severity: int = Field(ge=1, le=10)
    pregnant_urgent_from_severity: int = Field(ge=1, le=10)
    self_care_max_days: float = Field(ge=0)
    lingering_after_days: float = Field(ge=0)
    self_care_from_age_years: int = Field(gt=0)
    emergency_red_flags: frozenset[RedFlag]
    urgent_red_flags: frozenset[RedFlag]

    @model_validator(mode="after")
    def _thresholds_in_order(self) -> TriagePolicy:
        if self.urgent_fever_from_celsius <= self.fever_from_celsius:
            raise ValueError("urgent fever must be above the fever threshold")
        if self.infant_fever_urgent_below_months > self.child_fever_consult_below_months:
            raise ValueError("the infant age limit must not exceed the young child age limit")
        if not self.consult_from_severity < self.urgent_from_severity:
            raise ValueError("consult severity must be below urgent severity")
        if self.pregnant_urgent_from_severity > self.urgent_from_severity:
            raise ValueError("pregnant urgent severity must not exceed urgent severity")
        if self.lingering_after_days < self.self_care_max_days:
            raise ValueError("lingering must not start before self-care ends")
        # A red flag left out would be silently ignored; one in both lists is ambiguous.
        if self.emergency_red_flags & self.urgent_red_flags:
            raise ValueError("a red flag is either an emergency or urgent, not both")
        unlisted = set(RedFlag) - self.emergency_red_flags - self.urgent_red_flags
        if unlisted:
            raise ValueError(f"red flags missing from triage: {sorted(unlisted)}")
        return self

    @property
    def self_care_max_severity(self) -> int:
        return self.consult_from_severity - 1


class EmergencyNumbers(_Strict):
    life_threatening: str
    urgent: str
    mental_health_helpline: str


class ClinicPolicy(_Strict):
    """The whole policy file, validated; with the rule helpers every service uses."""

    model_config = ConfigDict(extra="forbid", frozen=True, ignored_types=(cached_property,))

    timezone: str
    opening_hours: dict[Literal["doctor", "psychologist"], OpeningHours]
    services: dict[Service, ServicePolicy]
    insurance: InsurancePolicy
    appointments: AppointmentPolicy
    guardians: GuardianPolicy
    cancellation: dict[Service, CancellationWindow]
    refunds: RefundPolicy
    prescriptions: PrescriptionPolicy
    renewals: RenewalPolicy
    certificates: dict[str, CertificatePolicy]
    privacy: PrivacyPolicy
    emergency: EmergencyNumbers
    triage: TriagePolicy

    @field_validator("timezone")
    @classmethod
    def _known_zone(cls, value: str) -> str:
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError):
            raise ValueError(f"unknown timezone {value!r}") from None
        return value

    @model_validator(mode="after")
    def _every_service_is_complete(self) -> ClinicPolicy:
        missing = set(Service) - set(self.services)
        if missing:
            raise ValueError(f"services missing from the policy: {sorted(missing)}")
        for service in (Service.DOCTOR_CONSULT, Service.PSYCHOLOGIST_SESSION):
            rules = self.services[service]
            if rules.clinician_kind is None or rules.slot_minutes is None or not rules.modes:
                raise ValueError(f"{service} needs clinician_kind, slot_minutes and modes")
            if service not in self.cancellation:
                raise ValueError(f"{service} needs a cancellation window")
        return self

    @property
    def tz(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)

    # -- helpers that answer rule questions -------------------------------------------

    def local(self, instant: dt.datetime) -> dt.datetime:
        """An aware instant in the clinic's time zone."""
        if instant.tzinfo is None:
            raise ValueError("naive datetime: the clinic's rules need aware instants")
        return instant.astimezone(self.tz)

    def opening_hours_text(self, kind: str) -> str:
        """Opening hours as patients read them, e.g. "07:00-22:00"."""
        hours = self.opening_hours[kind]  # type: ignore[index]
        return f"{hours.opens:%H:%M}-{hours.closes:%H:%M}"

    def opening_window(self, kind: str, day: dt.date) -> tuple[dt.datetime, dt.datetime]:
        """Opening and closing instants (UTC) of ``day`` in Oslo, DST-correct."""
        hours = self.opening_hours[kind]  # type: ignore[index]
        opens = dt.datetime.combine(day, hours.opens, tzinfo=self.tz)
        closes = dt.datetime.combine(day, hours.closes, tzinfo=self.tz)
        return opens.astimezone(dt.UTC), closes.astimezone(dt.UTC)

    def within_opening_hours(self, kind: str, starts: dt.datetime, ends: dt.datetime) -> bool:
        """True if [starts, ends) lies inside one day's opening hours in Oslo."""
        day = self.local(starts).date()
        opens, closes = self.opening_window(kind, day)
        return opens <= starts and ends <= closes

    def rules_for(self, service: Service) -> ServicePolicy:
        return self.services[service]

    def slot_length(self, service: Service) -> dt.timedelta:
        minutes = self.services[service].slot_minutes
        if minutes is None:
            raise ValueError(f"{service} is not booked in slots")
        return dt.timedelta(minutes=minutes)

    def booking_refusal(
        self,
        *,
        service: Service,
        mode: BookingMode,
        starts_at: dt.datetime | None,
        now: dt.datetime,
    ) -> RuleBroken | None:
        """Why a booking may not be made now, or None if it may."""
        rules = self.services[service]
        if mode not in rules.modes:
            return RuleBroken("mode_not_offered", f"This service cannot be booked as {mode.value}.")
        if mode is BookingMode.DROP_IN:
            return None
        if starts_at is None or starts_at <= now:
            return RuleBroken("slot_in_past", "That time has already passed. Please pick another.")
        if rules.book_by_previous_day and self.local(starts_at).date() <= self.local(now).date():
            return RuleBroken(
                "book_by_previous_day",
                "Psychologist sessions must be booked by the day before. Please pick a later day.",
            )
        return None

    def change_deadline(self, service: Service, starts_at: dt.datetime) -> dt.datetime:
        """The last instant a booking can be changed or cancelled with a refund."""
        notice = self.cancellation[service].min_notice_minutes
        return starts_at - dt.timedelta(minutes=notice)

    def change_refusal(
        self,
        *,
        service: Service,
        mode: BookingMode,
        starts_at: dt.datetime | None,
        now: dt.datetime,
    ) -> RuleBroken | None:
        """Why a booking can no longer be changed or cancelled, or None if it can."""
        if mode is BookingMode.DROP_IN or starts_at is None:
            return None
        if now > self.change_deadline(service, starts_at):
            window = _duration_words(self.cancellation[service].min_notice_minutes)
            return RuleBroken(
                "too_late_to_change",
                f"Bookings can be changed or cancelled up to {window} before they start; "
                "this one is too close, so it can no longer be changed or refunded.",
            )
        return None

    def late_doctor_refusal(
        self,
        *,
        mode: BookingMode,
        booked_at: dt.datetime,
        starts_at: dt.datetime,
        started_at: dt.datetime | None,
    ) -> RuleBroken | None:
        """Why a late doctor does not earn a refund here, or None if it does."""
        rule = self.refunds.doctor_late
        if mode is BookingMode.DROP_IN and not rule.drop_in:
            return RuleBroken(
                "drop_in_not_refunded",
                "Refunds for a late doctor apply to booked times, not drop-in.",
            )
        if starts_at - booked_at < dt.timedelta(days=rule.booked_at_least_days_ahead):
            return RuleBroken(
                "booked_too_late_for_refund",
                "Refunds for a late doctor apply to times booked at least a day in advance.",
            )
        if started_at is None or started_at - starts_at <= dt.timedelta(
            minutes=rule.more_than_minutes
        ):
            return RuleBroken(
                "doctor_not_late_enough",
                f"A refund is given when the doctor is more than {rule.more_than_minutes} "
                "minutes late.",
            )
        return None

    def certificate_refusal(
        self,
        *,
        kind: str,
        education: str | None = None,
        days: int | None = None,
        chronic: bool = False,
        reason: str | None = None,
    ) -> RuleBroken | None:
        """Why a certificate of ``kind`` cannot be requested, or None if a doctor may assess it.

        ``reason`` names what the school absence is for when it is one of the refused
        situations (e.g. gym_exemption, exam_illness).
        """
        rules = self.certificates.get(kind)
        if rules is None:
            known = " and ".join(
                sorted(k.replace("_", " ") for k, v in self.certificates.items() if v.allowed)
            )
            return RuleBroken(
                "unknown_certificate", f"The certificates a doctor here can assess are: {known}."
            )
        if not rules.allowed:
            return RuleBroken(
                "certificate_not_offered",
                f"We do not write this certificate. Please contact {rules.where_instead}.",
            )
        elsewhere = rules.refused_where_instead or "your GP (fastlege)"
        if (chronic or reason == "chronic_illness") and "chronic_illness" in rules.refused_for:
            return RuleBroken(
                "chronic_illness", f"For a long-lasting illness, please contact {elsewhere}."
            )
        if reason is not None and reason in rules.refused_for:
            return RuleBroken("certificate_not_offered", f"For this, please contact {elsewhere}.")
        if rules.for_ and education not in rules.for_:
            return RuleBroken(
                "not_eligible",
                f"This certificate is for students in {_listing(rules.for_)}.",
            )
        if (
            rules.min_days is not None
            and rules.max_days is not None
            and (days is None or not rules.min_days <= days <= rules.max_days)
        ):
            return RuleBroken(
                "days_out_of_range",
                f"The certificate covers {rules.min_days} to {rules.max_days} days, "
                "counted from the day you contact us.",
            )
        return None

    def renewal_refusal(
        self,
        *,
        reseptgruppe: str,
        substance: str,
        flags: frozenset[str],
        supply_days: int,
        last_dispensed: dt.date | None,
        today: dt.date,
        consent: bool,
    ) -> RuleBroken | None:
        """Why this medicine cannot be renewed without a consult, or None if a doctor may."""
        rules = self.renewals.not_renewable
        if not consent:
            return RuleBroken(
                "consent_required",
                "We need your consent to look up your e-prescription list before a doctor can "
                "renew anything.",
            )
        if substance in rules.substances:
            return RuleBroken(
                "excluded_substance",
                f"We do not prescribe {substance}. Please contact your GP.",
            )
        if reseptgruppe in rules.reseptgrupper:
            return RuleBroken(
                "addictive_drug",
                "We do not prescribe addictive medicines (reseptgruppe A and B), such as many "
                "sleeping pills and strong painkillers. Please contact your GP.",
            )
        reasons = {
            "limited_period": (
                "limited_period_drug",
                "This medicine is used for limited periods, so it needs a consult, not a renewal.",
            ),
            "needs_specialist_follow_up": (
                "specialist_follow_up",
                "This medicine needs a specialist's follow-up. Please contact the doctor who "
                "follows you up.",
            ),
            "needs_close_follow_up": (
                "close_follow_up",
                "This medicine needs close follow-up by your GP or hospital. Please contact them.",
            ),
        }
        for flag in rules.flags:
            if flag in flags:
                code, message = reasons[flag]
                return RuleBroken(code, message)
        months = rules.not_dispensed_within_months
        if last_dispensed is None or last_dispensed < _months_before(today, months or 0):
            return RuleBroken(
                "not_dispensed_recently",
                f"We can only renew medicines you have collected at a pharmacy in the last "
                f"{months} months. Please book a video consult instead.",
            )
        if supply_days > self.renewals.max_supply_days:
            return RuleBroken(
                "supply_too_long",
                f"We prescribe at most {self.renewals.max_supply_days // 30} months' supply at a "
                "time.",
            )
        return None

    def renewal_due_at(self, requested_at: dt.datetime) -> dt.datetime:
        """When a renewal must be handled: the allowance counted inside doctors' hours."""
        remaining = dt.timedelta(minutes=self.renewals.handled_within_minutes)
        day = self.local(requested_at).date()
        cursor = requested_at
        while True:
            opens, closes = self.opening_window("doctor", day)
            start = max(cursor, opens)
            if start < closes:
                if start + remaining <= closes:
                    return start + remaining
                remaining -= closes - start
            day += dt.timedelta(days=1)
            cursor = self.opening_window("doctor", day)[0]

    def certificate_period(
        self, *, contacted_at: dt.datetime, days: int | None
    ) -> tuple[dt.date, dt.date | None]:
        """A certificate runs from the Oslo day of contact, for ``days`` days."""
        first = self.local(contacted_at).date()
        return first, (first + dt.timedelta(days=days - 1) if days else None)

    def price_ore(self, service: Service, *, insured: bool) -> int:
        """What the patient pays: nothing where insurance covers the service."""
        rules = self.services[service]
        return 0 if insured and rules.insurance_covered else rules.price_ore

    def covers_child(self, *, child_birth_date: dt.date, on: dt.date) -> bool:
        """True if the child is still covered by a parent's insurance on ``on``."""
        return age_on(child_birth_date, on) < self.insurance.children_covered_below_age

    def guardian_may_act(self, *, child_birth_date: dt.date, on: dt.date) -> bool:
        """True if a guardian may still act for the child on ``on``."""
        return age_on(child_birth_date, on) < self.guardians.act_for_children_below_age


def age_on(birth_date: dt.date, day: dt.date) -> int:
    """Whole years of age on ``day``."""
    return day.year - birth_date.year - ((day.month, day.day) < (birth_date.month, birth_date.day))


def _months_before(day: dt.date, months: int) -> dt.date:
    """The same day of the month ``months`` earlier (clamped to the month's last day)."""
    month_index = day.year * 12 + day.month - 1 - months
    year, month = divmod(month_index, 12)
    month += 1
    for candidate in (day.day, 30, 29, 28):
        try:
            return dt.date(year, month, min(day.day, candidate))
        except ValueError:
            continue
    raise AssertionError("unreachable")


_DISPLAY = {"upper_secondary": "upper-secondary school"}


def _listing(words: tuple[str, ...]) -> str:
    """("a", "b", "c") -> "a, b or c", with the policy's keys in words."""
    names = [_DISPLAY.get(w, w.replace("_", " ")) for w in words]
    return names[0] if len(names) == 1 else ", ".join(names[:-1]) + " or " + names[-1]


def _duration_words(minutes: int) -> str:
    if minutes % 60:
        return f"{minutes} minutes"
    hours = minutes // 60
    return "1 hour" if hours == 1 else f"{hours} hours"


@dataclass(frozen=True, slots=True)
class RuleBroken:
    """Which rule a request breaks, for the patient and for machines."""

    code: str
    message: str


def _read(path: Path) -> dict[str, Any]:
    try:
        with path.open(encoding="utf-8") as handle:
            data = yaml.safe_load(handle)
    except (yaml.YAMLError, UnicodeDecodeError) as exc:
        raise ValueError(f"{path} is not valid YAML: {exc}") from None
    if not isinstance(data, dict):
        raise ValueError(f"{path} must hold a mapping")
    return data


def load_policy(path: Path = POLICY_FILE) -> ClinicPolicy:
    """Read and validate a policy file; raise ValueError naming what is wrong."""
    return ClinicPolicy.model_validate(_read(path))


@lru_cache
def get_policy() -> ClinicPolicy:
    """The clinic's policy, read once per process."""
    return load_policy()
