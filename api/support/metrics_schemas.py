"""Deflection figures: the query and the answer."""

from __future__ import annotations

import datetime as dt
import re
from typing import Annotated, Any

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, model_validator

from api.support import metrics
from api.support.metrics_conversations import Channel, Escalation, UnansweredReason

# Long enough for a quarter; longer ranges belong in a report job, not a page load.
MAX_DAYS = 92
EARLIEST = dt.date(2020, 1, 1)
LATEST = dt.date(2100, 12, 31)
_ISO_DAY = re.compile(r"^\d{4}-\d{2}-\d{2}$")


def _iso_day(value: Any) -> Any:
    # Pydantic would also take "2031-01-06T00:00"; the contract is a plain calendar day.
    if isinstance(value, str) and not _ISO_DAY.fullmatch(value):
        raise ValueError("give a calendar day as YYYY-MM-DD")
    return value


Day = Annotated[dt.date, BeforeValidator(_iso_day), Field(ge=EARLIEST, le=LATEST)]


class MetricsQuery(BaseModel):
    """`?from=YYYY-MM-DD&to=YYYY-MM-DD[&channel=chat|sms]`, Oslo calendar days, inclusive."""

    model_config = ConfigDict(extra="forbid", populate_by_name=True)

    from_: Day = Field(alias="from", description="First day (Europe/Oslo), YYYY-MM-DD")
    to: Day = Field(description="Last day (Europe/Oslo), YYYY-MM-DD, included")
    channel: Channel | None = Field(default=None, description="Only chat or only SMS")

    @model_validator(mode="after")
    def _a_sensible_range(self) -> MetricsQuery:
        if self.to < self.from_:
            raise ValueError("'to' must not be before 'from'")
        if (self.to - self.from_).days + 1 > MAX_DAYS:
            raise ValueError(f"ask for at most {MAX_DAYS} days at a time")
        return self


class EscalationsOut(BaseModel):
    emergency: int
    urgent_care: int


class FiguresOut(BaseModel):
    conversations: int
    contained: int
    handed_off: int
    abandoned: int
    recontacted: int
    escalations: EscalationsOut
    faq_answers: int
    faq_topics: dict[str, int]
    unanswered: int
    containment_rate: float | None
    handoff_rate: float | None
    abandonment_rate: float | None
    recontact_rate: float | None

    @classmethod
    def of(cls, figures: metrics.Figures) -> FiguresOut:
        return cls(
            conversations=figures.conversations,
            contained=figures.contained,
            handed_off=figures.handed_off,
            abandoned=figures.abandoned,
            recontacted=figures.recontacted,
            escalations=EscalationsOut(
                emergency=figures.escalations[Escalation.EMERGENCY],
                urgent_care=figures.escalations[Escalation.URGENT_CARE],
            ),
            faq_answers=figures.faq_answers,
            # Most answered first, then by name, so the order is stable.
            faq_topics=dict(sorted(figures.faq_topics.items(), key=lambda t: (-t[1], t[0]))),
            unanswered=figures.unanswered,
            containment_rate=figures.containment_rate,
            handoff_rate=figures.handoff_rate,
            abandonment_rate=figures.abandonment_rate,
            recontact_rate=figures.recontact_rate,
        )


def _by_channel(figures: dict[Channel, metrics.Figures]) -> dict[Channel, FiguresOut]:
    return {channel: FiguresOut.of(f) for channel, f in figures.items()}


class DayOut(BaseModel):
    day: dt.date
    total: FiguresOut
    by_channel: dict[Channel, FiguresOut]


class UnansweredOut(BaseModel):
    at: dt.datetime
    channel: Channel
    reason: UnansweredReason
    text: str


class MetricsOut(BaseModel):
    model_config = ConfigDict(populate_by_name=True)

    from_: dt.date = Field(alias="from")
    to: dt.date
    channel: Channel | None
    timezone: str
    days: list[DayOut]
    total: FiguresOut
    by_channel: dict[Channel, FiguresOut]
    unanswered: list[UnansweredOut] = Field(description="Latest first, at most 200")
    unanswered_total: int
    definitions: dict[str, str]

    @classmethod
    def of(cls, report: metrics.Report, *, timezone: str) -> MetricsOut:
        return cls(
            from_=report.first_day,
            to=report.last_day,
            channel=report.channel,
            timezone=timezone,
            days=[
                DayOut(
                    day=day.day,
                    total=FiguresOut.of(day.total),
                    by_channel=_by_channel(day.by_channel),
                )
                for day in report.days
            ],
            total=FiguresOut.of(report.total),
            by_channel=_by_channel(report.by_channel),
            unanswered=[
                UnansweredOut(at=m.at, channel=m.channel, reason=m.reason, text=m.text)
                for m in report.unanswered
            ],
            unanswered_total=report.unanswered_total,
            definitions=metrics.DEFINITIONS,
        )
