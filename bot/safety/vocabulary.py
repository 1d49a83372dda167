"""Word lists the safety rules share: people, devices, medicines, suicide, infants, fever.

Each is a compiled pattern over normalised text (bot.safety.normalise), or a fragment to
build patterns with. ``rx`` joins alternatives into one whole-word pattern.
"""

from __future__ import annotations

import re


def rx(*alternatives: str) -> re.Pattern[str]:
    """One whole-word pattern matching any of the alternatives."""
    return re.compile(r"\b(?:" + "|".join(alternatives) + r")\b")


W = r"(?:\w+ )"  # one word and its space, for "up to n words between" gaps
# People other than the writer: "not responding" about a person, not about the app.
PEOPLE = (
    r"(?:he|she|hes|shes|him|her|they|them|his|dad|father|mom|mum|mother|husband|wife|son|"
    r"daughter|baby|child|kid|boy|girl|friend|brother|sister|grandma|grandpa|grandmother|"
    r"grandfather|granny|grandad|grandmom|partner|boyfriend|girlfriend|colleague|neighbou?r|"
    r"someone|somebody|woman|person|toddler|roommate|han|hun|ham|henne|dem|pappa|faren|mamma|"
    r"mor|moren|mannen|mann|kona|kone|sonn|sonnen|datter|datteren|babyen|barnet|barn|gutten|"
    r"jenta|venn|venninne|vennen|kompis|kompisen|bror|broren|soster|sosteren|bestemor|"
    r"bestefar|farmor|farfar|mormor|morfar|samboer|samboeren|kjaeresten|pasient|ungen)"
)
PERSON = rx(PEOPLE)
# Devices and pages: "the app is unresponsive" is not about a person.
TECH = (
    r"(?:app|apps|appen|website|site|page|screen|video|call|chat|link|bankid|login|button|"
    r"phone|computer|laptop|siden|nettsiden|skjermen|lenken|videoen|samtalen|telefonen|"
    r"mobilen|battery|system)"
)
CANT = (
    r"(?:cant|cannot|can not|couldnt|unable to|struggling to|struggle to|hard to|difficult to|"
    r"not able to|barely|trouble|difficulty|problems?|hard time|cant get|cant seem to)"
)


SUICIDE_IDEATION = rx(
    r"suicid\w*|kill\w* (?:my ?self|himself|herself|themselves)|end\w* (?:my|my own) life",
    r"end\w* it all|tak\w* my (?:own )?life",
    r"(?<!dont )(?<!do not )(?:want|wanna) to die|wish (?:i was|i were|to be) dead",
    r"wish i (?:wasnt|werent|was not|were not) (?:alive|here|born)|better off dead",
    r"dont want to (?:live|be alive|exist|wake up)|no reason to live",
    r"never wake up|want to disappear|cant go on|ikke vakne (?:opp )?igjen|orker ikke mer(?! av)",
    r"(?:disappear|die|sleep) and (?:not|never) wake up|wish i could (?:just )?disappear",
    r"(?:not|isnt) worth living|no point (?:in )?living|ikke verdt a leve|livet er meningslost",
    r"(?:tenkt|tenker|tanker) (?:\w+ ){0,2}(?:pa|om) a do",
    r"selvmord\w*|sjolvmord\w*|ta livet (?:mitt|av meg)|ta mitt eget liv|vil do|vil bare do",
    r"(?:onsker|lyst til|har lyst) a do|vil ikke leve|orker ikke (?:a leve|livet|mer av livet)",
    r"bedre (?:om|hvis) jeg (?:var dod|ikke fantes)|ikke vil leve lenger",
)
SUICIDE_PLAN = rx(
    r"plan|plans|planned|planning|tonight|today|right now|going to|gonna|about to|ready",
    r"rope|gun|pills|tablets|bridge|goodbye|i kveld|i natt|i dag|akkurat na|plan\w*|tau",
    r"decided|bestemt|tomorrow|this weekend|i morgen|snart|soon",
    r"pistol|gevaer|bro|bru|broa|brua|taket|avskjed\w*|piller|tabletter|kommer til a",
)
INFANT = rx(
    r"baby|babys|babies|infant|newborn|new born|babyen|spedbarn\w*|nyfod\w*",
    r"(?:[0-9]|1[0-2]|one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve) "
    r"(?:days?|weeks?|wk|dager|dogn|uker|uke) (?:old|gammel|gamle)",
    r"pa (?:[0-9]|1[0-2]|en|ei|ett|to|tre|fire|fem|seks|sju|syv|atte|ni|ti|elleve|tolv) "
    r"(?:dager|dogn|uker|uke)|pa (?:[0-3]|en|ett|to|tre) (?:maneder|maned|mnd)",
    r"(?:0|1|2|3|one|two|three|en|ett|to|tre) (?:months?|mnd|maneder|maned) (?:old|gammel|gamle)",
)
FEVER = rx(
    r"fever\w*|feber\w*|temperature|temp|hot to the touch|febrile|varm",
    r"(?:is|feels|feel) (?:very |so |really )?hot",
)
# Medicines in amounts that make an overdose (with a quantity word before them).
DRUGS = (
    r"(?:\w*pills?|\w*pillene|\w*piller|\w*tablets?|\w*tablettene|\w*tabletter|meds|medication|"
    r"medicine|medisin\w*|paracetamol|panodil|paracet|ibux|ibuprofen|tylenol|painkillers|"
    r"smertestillende|insulin|antidepress\w*|sovemedisin|opioids?|oxycodone|morphine|heroin)"
)
FAINT = rx(
    r"passed out|fainted|fainting|blacked out|black out|besvim\w*|svimte av|dano|falt i svime"
)
