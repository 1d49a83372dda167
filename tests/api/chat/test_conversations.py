import datetime as dt
import uuid

import pytest

from api.chat.conversations import conversation_id_for, patient_id_of
from api.core.errors import Forbidden
from api.identity.tokens import Principal, Role

LATER = dt.datetime(2030, 1, 1, tzinfo=dt.UTC)


def test_patient_conversation_comes_from_the_token_not_the_client() -> None:
    patient = uuid.uuid4()
    principal = Principal(subject=patient, role=Role.PATIENT, expires_at=LATER)
    other = f"patient-{uuid.uuid4().hex}"
    chosen = conversation_id_for(principal, other)
    assert chosen == f"patient-{patient.hex}"
    assert patient_id_of(chosen) == patient


def test_anonymous_keeps_a_well_formed_id() -> None:
    anon = f"anon-{uuid.uuid4().hex}"
    assert conversation_id_for(None, anon) == anon
    assert patient_id_of(anon) is None


@pytest.mark.parametrize(
    "requested",
    [None, "", "hello", f"patient-{uuid.uuid4().hex}", "anon-XYZ", "anon-" + "0" * 31, "../../x"],
)
def test_anonymous_cannot_pick_someone_elses_conversation(requested: str | None) -> None:
    chosen = conversation_id_for(None, requested)
    assert chosen != requested
    assert chosen.startswith("anon-")
    assert patient_id_of(chosen) is None


@pytest.mark.parametrize("role", [Role.CLINICIAN, Role.SUPPORT])
def test_staff_do_not_chat_as_patients(role: Role) -> None:
    with pytest.raises(Forbidden):
        conversation_id_for(Principal(subject=uuid.uuid4(), role=role, expires_at=LATER), None)


@pytest.mark.parametrize("garbage", ["patient-", "patient-nothex", "patient-" + "g" * 32, "x"])
def test_garbage_conversation_ids_belong_to_nobody(garbage: str) -> None:
    assert patient_id_of(garbage) is None
