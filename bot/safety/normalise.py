"""Text normalisation for the safety rules: what patients type, in a form rules can read.

Lower case; æ/ø/å spelled ae/o/a as patients without a Norwegian keyboard do; accents
stripped; punctuation turned into barriers; letters repeated for emphasis collapsed; and a
cheap repair of one-slip typos in the words the rules care about.
"""

from __future__ import annotations

import functools
import re
import unicodedata

# æ/ø/å have no decomposition; spell them the way patients without a Norwegian keyboard do.
_LETTERS = str.maketrans({"æ": "ae", "ø": "o", "å": "a", "'": "", "’": "", "`": "", "´": ""})
BARRIER = " | "  # punctuation becomes a barrier that a negation cannot reach across

# Misspellings too short for the edit-distance repair below (which would confuse them with
# ordinary words), spelled out instead.
_TYPOS = {
    "chets": "chest", "chset": "chest", "ches": "chest", "cheast": "chest",
    "pian": "pain", "pani": "pain", "pai": "pain", "brethe": "breathe", "breth": "breath",
    "brath": "breath", "breate": "breathe", "strok": "stroke", "storke": "stroke",
    "srtoke": "stroke", "sezure": "seizure", "seasure": "seizure", "bloding": "blodning",
    "blodnig": "blodning", "brestsmerter": "brystsmerter", "atack": "attack", "attak": "attack",
    "attac": "attack", "atttack": "attack",
}  # fmt: skip

# Words the repair may restore from one slip of the finger (one edit, transpositions
# included): only words whose one-slip neighbours are not everyday words. Everyday words
# that are one slip from them ("painted" / "fainted") are in _KEEP and never repaired.
_CANONICAL = frozenset((
    "breath", "breathe", "breathing", "breathless", "unconscious", "unresponsive", "responding",
    "seizure", "seizures", "seizing", "convulsing", "convulsions", "overdose", "overdosed",
    "suicide", "suicidal", "bleeding", "anaphylaxis", "anaphylactic", "allergic", "collapsed",
    "paralysed", "paralyzed", "drooping", "slurred", "slurring", "poisoning", "poisoned",
    "swallowed", "fracture", "fractured", "unbearable", "excruciating", "fainted", "ambulance",
    "epileptic", "emergency", "stitches", "shortness", "myself", "tablets", "consciousness",
    "attempted", "bevisstlos", "bevisstlaus", "brystsmerter", "brystsmerte", "pustevansker",
    "pusteproblemer", "selvmord", "selvmordet", "selvmordstanker", "selvmordsforsok", "kramper",
    "krampeanfall", "blodning", "overdosen", "besvimte", "besvimt", "hjerteinfarkt", "hjertestans",
    "hjerneslag", "lammelse", "forgiftning", "kollapset", "kollapsa", "tablettene", "pillene",
    "bevisstheten", "anafylaksi", "anafylaktisk", "ambulanse", "tungpust", "andenod", "kvelning"
))  # fmt: skip
_KEEP = frozenset((
    "cooking", "breeding", "bleeping", "bleating", "selling", "spelling", "dwelling", "overdone",
    "itself", "himself", "herself", "tablet", "seizer", "breather", "stitched",
    "switches", "painted", "fainter", "tainted", "blending", "sizing", "tables", "wreath",
    "breadth"
))  # fmt: skip


def _distance(a: str, b: str, limit: int) -> int:
    """Optimal-string-alignment edit distance, giving up (limit + 1) past ``limit``."""
    if abs(len(a) - len(b)) > limit:
        return limit + 1
    prev2: list[int] = []
    prev = list(range(len(b) + 1))
    for i, ca in enumerate(a, 1):
        cur = [i] + [0] * len(b)
        for j, cb in enumerate(b, 1):
            cur[j] = min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (ca != cb))
            if i > 1 and j > 1 and ca == b[j - 2] and a[i - 2] == cb:
                cur[j] = min(cur[j], prev2[j - 2] + 1)
        if min(cur) > limit:
            return limit + 1
        prev2, prev = prev, cur
    return prev[-1]


@functools.lru_cache(maxsize=4096)
def _repair(token: str) -> str:
    if token in _TYPOS:
        return _TYPOS[token]
    if len(token) < 6 or token in _CANONICAL or token in _KEEP or not token.isalpha():
        return token
    # An inflection of a word the rules know ("blodningen") is not a typo.
    if any(token.startswith(word) for word in _CANONICAL):
        return token
    best, best_distance = token, 2
    for word in _CANONICAL:
        distance = _distance(token, word, 1)
        if distance < best_distance:
            best, best_distance = word, distance
    return best


def tokens(text: str) -> str:
    """Lower-cased, accent-free, typo-repaired words, with punctuation as ``|`` barriers."""
    text = unicodedata.normalize("NFKC", text).casefold().translate(_LETTERS)
    text = "".join(c for c in unicodedata.normalize("NFKD", text) if not unicodedata.combining(c))
    text = re.sub(r"(\d)[.,](\d)", r"\1d\2", text)  # 40,5 and 40.5 survive as 40d5
    text = re.sub(r"([a-z])\1{2,}", r"\1", text)  # "heeelp" -> "help"
    text = re.sub(r"[^a-z0-9\s]+", BARRIER, text)
    words = [w if w == "|" else _repair(w) for w in text.split()]
    return re.sub(r"(\d)d(\d)", r"\1.\2", " ".join(words))


def normalise(text: str) -> str:
    """The text the rules read: lower case, ASCII letters and digits, single spaces."""
    return " ".join(w for w in tokens(text).split() if w != "|")


# -- negation ------------------------------------------------------------------------------
# Only a negation word directly before a symptom *noun* is honoured ("no chest pain",
# "ingen brystsmerter", "not suicidal"). Verbs are never negated away: "can't breathe",
# "puster ikke", "not responding" are emergencies. Punctuation blocks it ("No - chest pain!").
_NEGATOR = (
    r"(?:no|not|never|without|denies|deny|dont have|do not have|doesnt have|does not have|"
    r"havent had|have not had|not having|ingen|ikke|ikkje|uten|aldri|inga|har ikke)"
)
_NEGATABLE = (
    r"(?:chest pains?|pain in (?:my |the )?chest|brystsmerter?|smerter i brystet|vondt i brystet|"
    r"fever|feber|trouble breathing|difficulty breathing|problems? breathing|breathing problems|"
    r"shortness of breath|short of breath|pustevansker|pusteproblemer|tung pust|tungpust|"
    r"suicidal(?: thoughts| ideation| plans?)?|thoughts of suicide|selvmordstanker|"
    r"selvmordsplaner|tanker om selvmord|selvmordstruet|suicidal|bleeding|blodning|"
    r"allergic reaction|allergisk reaksjon|seizures?|kramper|krampeanfall|"
    r"(?:a |any |concrete |konkret |konkrete )?(?:plans?|planer))"
)
_NEGATION = re.compile(
    rf"\b{_NEGATOR} (?:any |noen |more |mer |lenger |longer |signs of |tegn til |real )?"
    rf"{_NEGATABLE}\b"
)


def rule_text(text: str) -> str:
    """The normalised text with negated symptom phrases taken out: what the rules read."""
    words = _NEGATION.sub(BARRIER, tokens(text))
    return " ".join(w for w in words.split() if w != "|")
