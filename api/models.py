"""Every table, imported in one place so that Alembic and tests see the whole metadata."""

from api.clinicians.models import Clinician
from api.core.db import Base
from api.insurance.models import InsuranceCoverage
from api.patients.models import Guardianship, Patient
from api.support.models import SupportAgent

__all__ = ["Base", "Clinician", "Guardianship", "InsuranceCoverage", "Patient", "SupportAgent"]
