import datetime as dt

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from api.policy.rules import get_policy
from api.scheduling.models import Shift
from api.scheduling.seed import CLINICIANS, DAYS, seed_development


async def test_seed_is_idempotent(session: AsyncSession) -> None:
    today = dt.date(2034, 1, 2)
    first = await seed_development(session=session, today=today, policy=get_policy())
    assert first == len(CLINICIANS) * DAYS
    again = await seed_development(session=session, today=today, policy=get_policy())
    assert again == 0
    tomorrow = await seed_development(
        session=session, today=today + dt.timedelta(days=1), policy=get_policy()
    )
    assert tomorrow == len(CLINICIANS)
    count = await session.scalar(select(func.count(Shift.id)))
    assert count is not None and count >= len(CLINICIANS) * (DAYS + 1)
