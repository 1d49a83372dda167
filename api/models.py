"""Every table, imported in one place so that Alembic and tests see the whole metadata."""

from api.audit.models import AuditEvent
from api.certificates.models import CertificateRequest
from api.clinicians.models import Clinician
from api.core.db import Base
from api.handoffs.models import SupportTicket
from api.insurance.models import InsuranceCoverage
from api.journal.models import JournalNote
from api.notifications.models import Notification
from api.patients.models import Guardianship, Patient
from api.payments.models import LedgerEntry, Order, RefundSettlement
from api.prescriptions.models import Dispensation, RenewalRequest
from api.privacy.models import DataExport, ErasureRequest
from api.scheduling.models import Appointment, Shift, Slot
from api.sms.models import (
    SmsChoiceMemory,
    SmsConsentRecord,
    SmsDeliveryReport,
    SmsInboundMessage,
    SmsOptOut,
    SmsOutboundMessage,
    SmsPhoneLink,
    SmsVerification,
)
from api.support.models import SupportAgent
from api.triage.models import SymptomCheck

__all__ = [
    "Appointment",
    "AuditEvent",
    "Base",
    "CertificateRequest",
    "Clinician",
    "DataExport",
    "Dispensation",
    "ErasureRequest",
    "Guardianship",
    "InsuranceCoverage",
    "JournalNote",
    "LedgerEntry",
    "Notification",
    "Order",
    "Patient",
    "RefundSettlement",
    "RenewalRequest",
    "Shift",
    "Slot",
    "SmsChoiceMemory",
    "SmsConsentRecord",
    "SmsDeliveryReport",
    "SmsInboundMessage",
    "SmsOptOut",
    "SmsOutboundMessage",
    "SmsPhoneLink",
    "SmsVerification",
    "SupportAgent",
    "SupportTicket",
    "SymptomCheck",
]
