"""The FAQ answers (domain/faq.yml) and their training data (data/nlu/faq.yml).

Checked without Rasa (plain YAML), so they run in the app's venv: every topic has both
an answer and training examples, answers fit in two SMS, are not copied from the clinic's
public FAQ, and every price, time, window and phone number in them is the policy's.
"""

from __future__ import annotations

import math
import re
from collections import Counter
from pathlib import Path
from typing import Any

import pytest
import yaml

from api.policy.rules import POLICY_FILE, ClinicPolicy, Service, get_policy, load_policy

ROOT = Path(__file__).parents[2]
SEED_DIR = ROOT.parent / "shared" / "seed"
DOMAIN_FILE = ROOT / "domain" / "faq.yml"
TRAINING_FILE = ROOT / "data" / "nlu" / "faq.yml"
HELD_OUT_FILE = ROOT / "tests" / "nlu" / "faq.yml"
RULES_FILE = ROOT / "data" / "rules" / "faq.yml"

MAX_CHARS = 320
MIN_TRAINING_EXAMPLES = 20
MIN_HELD_OUT_EXAMPLES = 10
COPY_RUN = 6  # this many consecutive words shared with the seed FAQ counts as copying

# The price answer names each price in a sentence with these words. A renewal the
# doctor wants to discuss becomes an ordinary doctor consult (renewals.consult_requested).
PRICED = (
    ("doctor", Service.DOCTOR_CONSULT),
    ("new prescription", Service.NEW_PRESCRIPTION),
    ("renewal", Service.PRESCRIPTION_RENEWAL),
    ("renewal", Service.DOCTOR_CONSULT),
    ("psychologist", Service.PSYCHOLOGIST_SESSION),
)
_AMOUNT = r"\d{1,3}(?:[ ,.\u00a0]\d{3})+|\d+"
MONEY = re.compile(
    rf"\b(?:nok|kr|kroner)\.?\s*(?P<before>{_AMOUNT})\b"
    rf"|\b(?P<after>{_AMOUNT})\s*(?:nok|kr|kroner|,-)(?:\b|$|\s)",
    re.IGNORECASE,
)
CLOCK = re.compile(r"\b(?P<hour>[01]?\d|2[0-4])[:.](?P<minute>[0-5]\d)\b")
# Norwegian emergency and helpline numbers all start with 11 (113, 116117, 116123, ...).
PHONE_11X = re.compile(r"(?<![\d.,])11\d{1,4}(?!\d)(?![.,]\d)")

# GSM 03.38: the basic set costs one septet per character, the extension table two.
GSM7_BASIC = set(
    "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?"
    "¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà"
)
GSM7_EXTENDED = set("^{}\\[~]|€\f")


# -- loading --------------------------------------------------------------------------


def _yaml(path: Path) -> dict[str, Any]:
    with path.open(encoding="utf-8") as handle:
        data = yaml.safe_load(handle)
    assert isinstance(data, dict), f"{path} must hold a mapping"
    return data


def _examples(block: str | list[Any]) -> list[str]:
    """The examples of one Rasa `examples:` block, entity annotations removed."""
    if isinstance(block, list):  # the long form: a list of {text: ..., metadata: ...}
        texts = [item["text"] if isinstance(item, dict) else str(item) for item in block]
    else:
        lines = [line.strip() for line in block.splitlines()]
        texts = [line[2:].strip() for line in lines if line.startswith("- ")]
    return [re.sub(r"\[([^\]]*)\]\([^)]*\)|\[([^\]]*)\]\{[^}]*\}", r"\1\2", t) for t in texts]


def _nlu_by_intent(path: Path) -> dict[str, list[str]]:
    data = _yaml(path)
    by_intent: dict[str, list[str]] = {}
    for item in data.get("nlu") or []:
        if "intent" in item and "examples" in item:
            by_intent.setdefault(item["intent"], []).extend(_examples(item["examples"]))
    return by_intent


def _faq_topics(by_intent: dict[str, list[str]]) -> dict[str, list[str]]:
    return {
        intent.removeprefix("faq/"): examples
        for intent, examples in by_intent.items()
        if intent.startswith("faq/")
    }


def _answers() -> dict[str, list[str]]:
    """topic -> every text variant of utter_faq/<topic>."""
    responses = _yaml(DOMAIN_FILE).get("responses") or {}
    answers: dict[str, list[str]] = {}
    for name, variants in responses.items():
        if name.startswith("utter_faq/"):
            answers[name.removeprefix("utter_faq/")] = [v["text"] for v in variants]
    return answers


def _normal(text: str) -> str:
    """An example as a duplicate check sees it: lower case, letters and digits only."""
    return " ".join(re.findall(r"[^\W_]+", text.lower()))


def _words(text: str) -> list[str]:
    """Lower-case words with punctuation stripped ("1,095" -> "1095", "don't" -> "dont")."""
    text = re.sub(r"(?<=\d)[,.\u00a0 ](?=\d{3}\b)", "", text.lower())
    text = re.sub(r"['’`]", "", text)
    return re.findall(r"[^\W_]+", text)


def _runs(text: str, length: int = COPY_RUN) -> set[tuple[str, ...]]:
    words = _words(text)
    return {tuple(words[i : i + length]) for i in range(len(words) - length + 1)}


def _plain(text: str) -> str:
    """Dashes unified and spaces collapsed, so "1–7" and "1-7" read the same."""
    return re.sub(r"\s+", " ", re.sub(r"[\u2010-\u2015\u2212]", "-", text))


TRAINING = _faq_topics(_nlu_by_intent(TRAINING_FILE))
HELD_OUT = _faq_topics(_nlu_by_intent(HELD_OUT_FILE))
ANSWERS = _answers()
ALL_TEXTS = [(topic, text) for topic, texts in sorted(ANSWERS.items()) for text in texts]


# -- rules the checks share (also run against altered policies below) ----------------


def _kroner(policy: ClinicPolicy, service: Service) -> int:
    ore = policy.rules_for(service).price_ore
    assert ore % 100 == 0, f"{service} costs {ore} øre: not whole kroner"
    return ore // 100


def _amounts(text: str) -> list[int]:
    found = []
    for match in MONEY.finditer(text):
        digits = re.sub(r"\D", "", match.group("before") or match.group("after"))
        found.append(int(digits))
    return found


def _sentences(text: str) -> list[str]:
    return [s for s in re.split(r"(?<=[.!?;])\s+", text) if s]


def price_problems(answers: dict[str, list[str]], policy: ClinicPolicy) -> list[str]:
    """Every amount quoted anywhere must be a policy price; the price answer must give
    each service's price in a sentence that names the service."""
    allowed = {_kroner(policy, service) for service in Service}
    problems = [
        f"{topic}: NOK {amount} is not a price in the policy ({sorted(allowed)})"
        for topic, texts in answers.items()
        for text in texts
        for amount in _amounts(text)
        if amount not in allowed
    ]
    for text in answers.get("prices", []):
        sentences = [s.lower() for s in _sentences(text)]
        for word, service in PRICED:
            price = _kroner(policy, service)
            if not any(word in s and price in _amounts(s) for s in sentences):
                problems.append(f"prices: no sentence names '{word}' with NOK {price}")
    if "prices" not in answers:
        problems.append("no prices answer")
    return problems


def hour_problems(answers: dict[str, list[str]], policy: ClinicPolicy) -> list[str]:
    """Every clock time quoted must be an opening or closing time of the policy, and the
    two opening-hours answers must quote theirs."""
    allowed = {
        f"{getattr(hours, edge):%H:%M}"
        for hours in policy.opening_hours.values()
        for edge in ("opens", "closes")
    }
    problems = []
    for topic, texts in answers.items():
        for text in texts:
            for match in CLOCK.finditer(text):
                clock = f"{int(match['hour']):02d}:{match['minute']}"
                if clock not in allowed:
                    problems.append(f"{topic}: {clock} is not in the opening hours {allowed}")
    for topic, kind in (("opening_hours", "doctor"), ("psychologist_hours", "psychologist")):
        hours = policy.opening_hours[kind]  # type: ignore[index]
        for text in answers.get(topic, [""]):
            for edge in (hours.opens, hours.closes):
                if f"{edge:%H:%M}" not in text:
                    problems.append(f"{topic}: does not say {edge:%H:%M}")
    return problems


def _duration(minutes: int) -> str:
    if minutes % 60:
        return f"{minutes} minutes"
    hours = minutes // 60
    return "1 hour" if hours == 1 else f"{hours} hours"


def expected_phrases(policy: ClinicPolicy) -> dict[str, list[str]]:
    """Per topic, what the answer must say, worded from the policy's figures."""
    refunds = policy.refunds
    days = f"{refunds.settlement_business_days.min}-{refunds.settlement_business_days.max}"
    school = policy.certificates["school_absence"]
    insurers = [insurer.name for insurer in policy.insurance.insurers.values()]
    return {
        "cancel_doctor": [
            _duration(policy.cancellation[Service.DOCTOR_CONSULT].min_notice_minutes),
            f"{days} business days",
        ],
        "cancel_psychologist": [
            _duration(policy.cancellation[Service.PSYCHOLOGIST_SESSION].min_notice_minutes),
            f"{days} business days",
        ],
        "late_or_missed": [
            _duration(policy.cancellation[Service.DOCTOR_CONSULT].min_notice_minutes),
            _duration(policy.cancellation[Service.PSYCHOLOGIST_SESSION].min_notice_minutes),
        ],
        "refunds": [f"{refunds.doctor_late.more_than_minutes} minutes", f"{days} business days"],
        "renewal_info": [_duration(policy.renewals.handled_within_minutes)],
        "not_renewable": [f"{policy.renewals.not_renewable.not_dispensed_within_months} months"],
        "prescription_length": [f"{policy.prescriptions.max_supply_days // 30} months"],
        "psychologist_hours": [
            f"{policy.rules_for(Service.PSYCHOLOGIST_SESSION).slot_minutes} minutes"
        ],
        "erasure": [f"{policy.privacy.erase_non_medical_within_days} days"],
        "school_certificate": [f"{school.min_days}-{school.max_days} days"],
        "insurance": [*insurers, f"under {policy.insurance.children_covered_below_age}"],
    }


def fact_problems(answers: dict[str, list[str]], policy: ClinicPolicy) -> list[str]:
    problems = [
        f"{topic}: does not say '{phrase}'"
        for topic, phrases in expected_phrases(policy).items()
        for text in answers.get(topic, [""])
        for phrase in phrases
        if phrase.lower() not in _plain(text).lower()
    ]
    numbers = set(policy.emergency.model_dump().values())
    problems += [
        f"{topic}: phone number {number} is not one of the policy's {sorted(numbers)}"
        for topic, texts in answers.items()
        for text in texts
        for number in PHONE_11X.findall(text)
        if number not in numbers
    ]
    return problems


# -- the files fit together -----------------------------------------------------------


def test_files_are_rasa_3_1() -> None:
    for path in (DOMAIN_FILE, TRAINING_FILE, HELD_OUT_FILE, RULES_FILE):
        assert str(_yaml(path).get("version")) == "3.1", f"{path.name} must say version: 3.1"


def test_every_topic_has_an_answer_and_every_answer_a_topic() -> None:
    assert TRAINING, "no faq/<topic> intents in data/nlu/faq.yml"
    assert sorted(set(TRAINING) - set(ANSWERS)) == [], "topics without utter_faq/<topic>"
    assert sorted(set(ANSWERS) - set(TRAINING)) == [], "answers without training examples"


def test_domain_declares_the_retrieval_intent_and_the_rule_answers_it() -> None:
    domain = _yaml(DOMAIN_FILE)
    assert str(domain.get("version")) == "3.1"
    assert "faq" in domain.get("intents", [])
    rules = _yaml(RULES_FILE)
    steps = [rule["steps"] for rule in rules["rules"]]
    assert [{"intent": "faq"}, {"action": "utter_faq"}] in steps


@pytest.mark.parametrize(("topic", "text"), ALL_TEXTS, ids=[t for t, _ in ALL_TEXTS])
def test_answer_is_short(topic: str, text: str) -> None:
    assert text.strip(), f"{topic}: empty answer"
    assert len(text) < MAX_CHARS, f"{topic}: {len(text)} characters"


@pytest.mark.parametrize(("topic", "text"), ALL_TEXTS, ids=[t for t, _ in ALL_TEXTS])
def test_answer_fits_in_two_sms(topic: str, text: str) -> None:
    """A character outside GSM-7 (an en dash, a curly quote) makes Twilio send UCS-2,
    and then two segments hold only 134 characters."""
    outside = sorted({c for c in text if c not in GSM7_BASIC | GSM7_EXTENDED})
    assert outside == [], f"{topic}: not GSM-7: {outside}"
    septets = sum(2 if c in GSM7_EXTENDED else 1 for c in text)
    segments = 1 if septets <= 160 else math.ceil(septets / 153)
    assert segments <= 2, f"{topic}: {septets} septets need {segments} SMS"


# -- the training and test data -------------------------------------------------------


@pytest.mark.parametrize("topic", sorted(TRAINING))
def test_enough_training_examples(topic: str) -> None:
    assert len(TRAINING[topic]) >= MIN_TRAINING_EXAMPLES


def test_no_training_example_is_repeated() -> None:
    seen = Counter(_normal(e) for examples in TRAINING.values() for e in examples)
    assert sorted(e for e, n in seen.items() if n > 1) == []


def test_faq_examples_do_not_repeat_other_intents_examples() -> None:
    faq = {_normal(e) for examples in TRAINING.values() for e in examples}
    others = {
        _normal(example): f"{path.name}:{intent}"
        for path in sorted(TRAINING_FILE.parent.glob("*.yml"))
        if path != TRAINING_FILE
        for intent, examples in _nlu_by_intent(path).items()
        if not intent.startswith("faq")
        for example in examples
    }
    assert {e: others[e] for e in faq & set(others)} == {}


# A request to do something now belongs to the task intents (request_renewal,
# cancel_booking, book_consult, ...), never to the FAQ.
REQUEST = re.compile(
    r"^(please |pls |plz )?(i want to |i need to |i wanna |jeg vil |jeg må )?"
    r"(renew|cancel|book|reschedule|move|bestill|avbestill|forny|flytt|endre|avlys)e?\b",
    re.IGNORECASE,
)


def test_faq_examples_are_questions_not_requests() -> None:
    requests = [e for examples in TRAINING.values() for e in examples if REQUEST.match(e)]
    assert requests == []


def test_held_out_set_covers_every_topic() -> None:
    assert set(HELD_OUT) == set(TRAINING)
    short = {t: len(e) for t, e in HELD_OUT.items() if len(e) < MIN_HELD_OUT_EXAMPLES}
    assert short == {}


def test_held_out_set_is_not_trained_on() -> None:
    trained = {_normal(e) for examples in TRAINING.values() for e in examples}
    leaked = [e for examples in HELD_OUT.values() for e in examples if _normal(e) in trained]
    assert leaked == []
    seen = Counter(_normal(e) for examples in HELD_OUT.values() for e in examples)
    assert sorted(e for e, n in seen.items() if n > 1) == []


# -- our own words --------------------------------------------------------------------


def _seed_text() -> str:
    if not SEED_DIR.is_dir():
        pytest.skip(f"the clinic's seed FAQ folder {SEED_DIR} is not checked out beside the repo")
    files = sorted(SEED_DIR.glob("*.txt"))
    if not files:
        pytest.skip(f"no *.txt seed FAQ in {SEED_DIR}")
    return "\n".join(f.read_text(encoding="utf-8") for f in files)


@pytest.mark.parametrize(("topic", "text"), ALL_TEXTS, ids=[t for t, _ in ALL_TEXTS])
def test_answer_is_not_copied_from_the_seed_faq(topic: str, text: str) -> None:
    copied = sorted(" ".join(run) for run in _runs(text) & _runs(_seed_text()))
    assert copied == [], f"{topic} repeats the seed FAQ word for word"


def test_copy_check_catches_a_copied_sentence() -> None:
    seed = _seed_text()
    sentence = next(s for s in re.split(r"(?<=[.!?])\s+", seed) if len(_words(s)) >= 8)
    assert _runs(f"Well. {sentence.upper()} Thanks!") & _runs(seed)


# -- the clinic's figures -------------------------------------------------------------


def test_prices_are_the_policys() -> None:
    assert price_problems(ANSWERS, get_policy()) == []


def test_hours_are_the_policys() -> None:
    assert hour_problems(ANSWERS, get_policy()) == []


def test_windows_limits_and_numbers_are_the_policys() -> None:
    assert fact_problems(ANSWERS, get_policy()) == []


def test_money_and_clock_patterns() -> None:
    text = "NOK 1,095 or 375 NOK, kr 275 and 1095 kr; 1 095 kr. At 07:00 or 22.00; iOS 15.0."
    assert _amounts(text) == [1095, 375, 275, 1095, 1095]
    assert [m.group(0) for m in CLOCK.finditer(text)] == ["07:00", "22.00"]


def _altered_policy(tmp_path: Path, change: dict[str, Any]) -> ClinicPolicy:
    data = _yaml(POLICY_FILE)
    for dotted, value in change.items():
        *parents, leaf = dotted.split(".")
        node = data
        for key in parents:
            node = node[key]
        node[leaf] = value
    path = tmp_path / "clinic.yml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    return load_policy(path)


@pytest.mark.parametrize(
    "change",
    [
        {"services.doctor_consult.price_ore": 39900},
        {"services.psychologist_session.price_ore": 120000},
        {"services.prescription_renewal.price_ore": 29900},
        {"services.new_prescription.price_ore": 45000},
    ],
)
def test_a_changed_price_in_the_policy_fails_the_check(
    tmp_path: Path, change: dict[str, Any]
) -> None:
    assert price_problems(ANSWERS, _altered_policy(tmp_path, change)) != []


@pytest.mark.parametrize(
    "change",
    [
        {"opening_hours.doctor": {"opens": "08:00", "closes": "22:00"}},
        {"opening_hours.psychologist": {"opens": "07:00", "closes": "21:00"}},
    ],
)
def test_changed_hours_in_the_policy_fail_the_check(tmp_path: Path, change: dict[str, Any]) -> None:
    assert hour_problems(ANSWERS, _altered_policy(tmp_path, change)) != []


@pytest.mark.parametrize(
    "change",
    [
        {"cancellation.psychologist_session.min_notice_minutes": 2880},
        {"refunds.settlement_business_days.max": 10},
        {"renewals.handled_within_minutes": 180},
        {"privacy.erase_non_medical_within_days": 14},
        {"emergency.urgent": "116118"},
    ],
)
def test_changed_rules_in_the_policy_fail_the_check(tmp_path: Path, change: dict[str, Any]) -> None:
    assert fact_problems(ANSWERS, _altered_policy(tmp_path, change)) != []
