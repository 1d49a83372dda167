"""README.txt of a patient's copy of their data: what each file holds, in plain words."""

from __future__ import annotations

import datetime as dt
import textwrap

from api.policy.rules import ClinicPolicy
from api.privacy.erasure import WORDS, listed

WIDTH = 88
INDENT = "    "
# File name -> what it holds. The archive holds exactly these files (and the README).
FILES: dict[str, str] = {
    "profile.json": (
        "Who you are to us: your name, national identity number, date of birth, phone "
        "number and e-mail address (if you gave them), the children you may act for or the "
        "guardians who may act for you, and your health insurance."
    ),
    "appointments.json": (
        "Your consults: when, with which service, their status, and when they started and ended."
    ),
    "payments.json": (
        "Your orders (the receipts), and every payment, insurance cover and refund on them."
    ),
    "symptom_checks.json": (
        "Your symptom checks: your answers and the urgency we assessed. Only the doctor "
        "treating you may read them."
    ),
    "journal_notes.json": "The notes your doctor or psychologist wrote after your consults.",
    "renewals.json": "Your prescription renewal requests and the doctor's decisions.",
    "certificates.json": "Your certificate requests and the doctor's decisions.",
    "prescription_list.json": (
        "The medicines dispensed to you at pharmacies, as read from the national "
        "e-prescription list to check renewals."
    ),
    "notifications.json": "The messages we sent you (reminders, confirmations).",
    "sms.json": (
        "Your verified mobile number and the text messages we sent to it (numbers are kept "
        "as a code, not in clear)."
    ),
    "support_tickets.json": (
        "Conversations our assistant handed over to support staff, and what staff answered."
    ),
    "conversation.json": (
        "Your conversation with our assistant, in the app and by text message: first the "
        "messages as you saw them, then every event as the assistant's system stored it."
    ),
    "privacy_requests.json": "Your requests for erasure and for copies of your data.",
    "access_log.json": (
        "Who read your medical data (symptom checks, journal notes, renewals, "
        "certificates), when and why, and any attempt that was refused. Reading your "
        "medical data to make this copy is listed too."
    ),
}


def readme(*, policy: ClinicPolicy, made_at: dt.datetime, given_name: str) -> str:
    """The README, for the patient who asked, dated in clinic time."""
    local = policy.local(made_at)
    listing = "\n".join(
        f"{name}\n{textwrap.fill(words, WIDTH, initial_indent=INDENT, subsequent_indent=INDENT)}\n"
        for name, words in FILES.items()
    )
    erasable = listed([WORDS[c] for c in policy.privacy.non_medical_data]) or "none"
    rights = textwrap.fill(
        f"You can ask us to erase your non-medical data: {erasable}. It is done within "
        f"{policy.privacy.erase_non_medical_within_days} days, and you get a written "
        "confirmation of what was erased and when. Medical records are kept for as long as "
        "the law requires. You can do this on the privacy page, or by asking the assistant.",
        WIDTH,
    )
    return f"""A copy of your data
===================

Made for {given_name} on {local:%d.%m.%Y} at {local:%H:%M} (Norwegian time).

This archive holds everything our clinic keeps about you, including your own medical
data. The files are JSON, a plain text format: any text editor opens them, and so do
spreadsheet programs and most programming languages. Times are written the standard way,
for example 2031-01-05T11:00:00+00:00 (that is UTC; Norwegian time is one hour later in
winter and two in summer).

The files
---------
{listing}
What is not here
----------------
- Video consults: they are never recorded, so there is nothing to give.
- Data about children you act for is theirs, and is in their own copy.
- Texts sent from your number before you verified it in the app are kept under the
  number, not under you, and are not in this copy.

Your rights
-----------
{rights}

Keep this archive safe: it holds health data about you.
"""
