"""Insurance: own coverage, a parent's for children under 18, validity dates."""

import datetime as dt

import pytest
from sqlalchemy.ext.asyncio import AsyncSession

from api.insurance.models import InsuranceCoverage
from api.insurance.service import is_insured
from api.policy.rules import get_policy
from tests.api import factories

BORN = dt.date(2015, 5, 20)


@pytest.mark.parametrize(
    ("day", "covered"),
    [(dt.date(2033, 5, 19), True), (dt.date(2033, 5, 20), False)],  # 17, then 18
)
async def test_child_covered_by_parent_until_eighteen(
    session: AsyncSession, day: dt.date, covered: bool
) -> None:
    parent = await factories.patient(session)
    child = await factories.patient(session, birth_date=BORN)
    await factories.guardian_of(session, parent, child)
    await factories.insurance(session, parent, insurer="vertikal")
    assert await is_insured(session=session, patient=child, on=day, policy=get_policy()) is covered


async def test_coverage_counts_only_while_valid_and_from_known_insurers(
    session: AsyncSession,
) -> None:
    patient = await factories.patient(session)
    session.add(
        InsuranceCoverage(
            patient_id=patient.id,
            insurer="if",
            policy_number="A",
            valid_from=dt.date(2033, 1, 1),
            valid_to=dt.date(2033, 6, 30),
        )
    )
    session.add(
        InsuranceCoverage(
            patient_id=patient.id,
            insurer="unknown-insurer",
            policy_number="B",
            valid_from=dt.date(2030, 1, 1),
            valid_to=None,
        )
    )
    await session.flush()
    policy = get_policy()
    assert await is_insured(
        session=session, patient=patient, on=dt.date(2033, 6, 30), policy=policy
    )
    assert not await is_insured(
        session=session, patient=patient, on=dt.date(2033, 7, 1), policy=policy
    )
    assert not await is_insured(
        session=session, patient=patient, on=dt.date(2032, 12, 31), policy=policy
    )
