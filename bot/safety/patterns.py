"""The safety net's rule layer: emergency and urgent signs in English and Norwegian.

Pure standard-library Python (it runs in Rasa's Python 3.10 and in tests). Texts are
normalised first (bot.safety.normalise: lower case, æ/ø/å spelled ae/o/a, typo repair,
negated symptoms dropped); then each rule group is a set of regular expressions over it.
When in doubt a rule escalates: a false alarm costs a patient a minute, a miss can cost
a life. The assessment names the rule groups that matched, never the patient's words.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Literal

from bot.safety.normalise import rule_text
from bot.safety.vocabulary import (
    CANT,
    DRUGS,
    FAINT,
    FEVER,
    INFANT,
    PEOPLE,
    PERSON,
    SUICIDE_IDEATION,
    SUICIDE_PLAN,
    TECH,
    W,
    rx,
)

Level = Literal["emergency", "urgent", "none"]
_RANK: dict[Level, int] = {"none": 0, "urgent": 1, "emergency": 2}


@dataclass(frozen=True)
class Assessment:
    """How serious a message sounds, and which rule groups said so."""

    level: Level
    reasons: tuple[str, ...] = ()
    mental_health: bool = False


NONE = Assessment("none")


def rank(level: Level) -> int:
    """Severity order: none < urgent < emergency."""
    return _RANK[level]


# -- rule groups ---------------------------------------------------------------------------
@dataclass(frozen=True)
class _Rule:
    reason: str
    level: Level
    signs: re.Pattern[str]
    # When set, one of these must match too (context that makes the sign serious).
    context: re.Pattern[str] | None = None
    # When set and matching, the sign is about something else (the app "not responding").
    unless: re.Pattern[str] | None = None
    mental_health: bool = False


# fmt: off
_RULES: tuple[_Rule, ...] = (
    # Life-threatening: "call 113" ------------------------------------------------------
    # Chest pain is an emergency red flag in the clinic's triage policy: heart attack first.
    _Rule("chest_pain", "emergency", rx(
        r"chestpains?|chest (?:pains?|ache|aches|hurts?|hurting|tightness|tight|pressure|"
        r"discomfort|heavy)",
        rf"(?:pain|pains|ache|pressure|tightness|squeezing|crushing|heaviness|hurts|heavy|tight|"
        rf"feeling|stabbing) {W}{{0,3}}"
        r"(?:in|on|across|around|over) (?:my |his |her |the )?chest",
        r"my chest (?:is )?(?:tight|hurts)|tight chest",
        r"heart attack|myocardial|angina|heart (?:is )?(?:being )?(?:hurts|pain|hurting|aching|"
        r"squeezed)|chest feels (?!fine|ok|okay|better|normal)",
        r"hjertet (?:mitt |hans |hennes )?(?:gjor vondt|verker)",
        r"(?:clutching|clutches|holding|grabbing) (?:\w+ )?chest|tar seg (?:til|for) brystet",
        r"brystsmert\w*|bryst smerter?|(?:vondt|smerter?|trykk\w*|press|stramming|stikk\w*|tyngde) "
        r"(?:\w+ ){0,2}(?:i|over|pa) brystet|brystet (?:gjor vondt|verker|strammer)",
        r"hjerteinfarkt|infarkt|hjerteattakk",
    )),
    # FAST: face, arm, speech; also the sudden "worst headache of my life" (brain bleed).
    _Rule("stroke", "emergency", rx(
        r"strokes?|mini stroke|tia|(?:face|mouth|smile) (?:is |looks )?(?:drooping|droopy|dropping|"
        r"crooked|lopsided|uneven|numb|paralysed|paralyzed)",
        r"(?:drooping|droopy|crooked) (?:face|mouth|smile)|one side of (?:his|her|my|the) "
        r"(?:face|body|mouth)",
        r"(?:slurred|slurring|slurry) (?:speech|words|talking)|slurring|speech (?:is )?slurred",
        r"(?:cant|cannot|can not|unable to) (?:speak|talk|get (?:the|his|her) words out) properly",
        r"cant find (?:the|his|her|my) words|(?:sudden|suddenly) (?:\w+ )?(?:weakness|numbness|"
        r"paralysis|numb|weak|blind)|paralys\w+|paralyz\w+",
        r"(?:lost|losing) (?:my |his |her )?(?:vision|sight)|worst headache|thunderclap",
        r"(?:numbness|numb|weakness|weak|paralysis|tingling) (?:\w+ ){0,3}(?:left|right|one) side",
        r"(?:left|right|one) side (?:of (?:his|her|my|the) (?:face|body) )?(?:is |went |has gone )?"
        r"(?:numb|weak|paralysed|paralyzed|dead|limp)|(?:face|facial|mouth) droop\w*",
        r"(?:garbled|jumbled) (?:speech|words|talking)|speech (?:is )?(?:weird|strange|jumbled|"
        r"garbled|off|slurred)",
        r"face (?:looks )?(?:weird|strange|odd) and|sudden(?:ly)? (?:\w+ )?double vision",
        r"sudden (?:severe|extreme|violent|intense|terrible) headache",
        r"(?:hjerne)?slag|hjerneblodning|drypp|munnvik\w* henger|henger i (?:munnviken|ansiktet)",
        r"skjev\w* (?:i )?(?:ansiktet|munn\w*)|ansiktet (?:er )?(?:skjevt|henger)",
        r"lam (?:i|pa) (?:den ene|hoyre|venstre|halve|ansiktet|armen|beinet)",
        r"lam(?:met|mede|melse|melser)|nummen (?:i|pa) (?:den ene|hele|hoyre|venstre)",
        r"utydelig tale|snakker (?:utydelig|rart|uklart|surr)|sluddr\w*|sludrer|sludrete",
        r"klarer ikke a snakke",
        r"finner ikke ordene|far ikke fram ordene|mist\w* synet|plutselig (?:kraftig|sterk|voldsom|"
        r"ekstrem) hodepine|verste hodepine|kraftlos i (?:armen|beinet|den ene)|ser dobbelt",
        r"mist\w* kraften i|plutselig (?:\w+ ){0,3}(?:mistet kraften|nummen|lammet|svak)",
        r"(?:cant|cannot|can not|unable to) (?:move|lift|feel|use) (?:his |her |my )?"
        r"(?:left|right) (?:arm|leg|hand|side)",
        r"suddenly (?:cant|cannot|can not) (?:move|lift|feel|use)",
        r"klarer ikke (?:a )?(?:lofte|bevege) (?:den )?(?:hoyre|venstre) (?:armen|beinet|handa)",
    )),
    # Sudden confusion is an emergency red flag in the triage policy; "confused about the
    # price" is not, so it needs "sudden" or disorientation.
    _Rule("confusion", "emergency", rx(
        r"disoriented|disorientated|(?:sudden|suddenly) (?:very )?confused|desorientert",
        r"plutselig (?:veldig )?forvirret|vet ikke hvor (?:han|hun) er",
    )),
    _Rule("breathing", "emergency", rx(
        rf"{CANT} {W}{{0,4}}(?:breathe|breath|breathing)(?! through (?:my|the|his|her) nose)",
        r"short(?:ness)? of breath|breathless|out of breath|gasping|not breathing|isnt breathing",
        r"stopped breathing|no breathing|doesnt breathe|wont breathe|chok\w*|turning blue",
        r"lips (?:are |look |went |turning )?(?:blue|grey|gray)|blue lips|asthma attack",
        r"breathing (?:problems|difficulties|difficulty|trouble)",
        r"severe asthma|cant get (?:any |enough )?air|suffocat\w*|throat (?:is )?closing",
        r"(?:far|klarer|kan|greier) (?:nesten |helt )?ikke (?:a )?puste|far ikke (?:nok )?luft",
        r"vanskelig (?:med )?a puste",
        r"sliter med a puste|problemer med (?:a puste|pusten)|pustevansk\w*|pusteproblem\w*",
        r"pustebesv\w*|andenod|tungpust\w*|tung pust|puster (?:ikke|darlig|tungt)",
        r"sluttet a puste|kvel(?:es|ning|ningsfare|t|er)|satt fast i halsen",
        r"(?:bla|blaa) (?:i ansiktet|rundt munnen|lepper)|leppene (?:\w+ ){0,3}bla|astmaanfall",
        r"kraftig astma|hiver etter (?:pusten|luft)|gisper",
    )),
    # Anaphylaxis: allergy plus the airway, or the word itself, or an EpiPen in use.
    _Rule("anaphylaxis", "emergency", rx(
        r"anaphyla\w*|anafyla\w*|allergic shock|allergisk sjokk|(?:severe|serious|bad) allergic",
        r"(?:throat|tongue) (?:is |feels )?(?:swelling|swollen|closing|tight)",
        r"swollen (?:throat|tongue)|(?:tongue|throat) (?:feels |is |looks )?(?:huge|thick|big)",
        r"hevelse i (?:halsen|tunga|tungen|svelget)|hovne\w* (?:opp )?i (?:halsen|tunga|tungen)",
        r"swelling (?:of|in) (?:my |his |her |the )?(?:throat|tongue)",
        r"(?:used|use|gave|give|injected|needed) (?:\w+ ){0,2}(?:epipen|epi pen|adrenaline)",
        r"(?:kraftig|alvorlig|sterk) allergisk|(?:halsen|tunga|tungen) (?:\w+ )?(?:hovner|hoven|"
        r"snorer seg|tetner)|hoven (?:i halsen|tunge)|(?:brukt|brukte|satt) (?:\w+ ){0,2}"
        r"(?:epipen|adrenalinpenn)",
    )),
    _Rule("anaphylaxis", "emergency",
          rx(r"(?:lips|face|mouth|eyes) (?:is |are )?(?:swelling|swollen)|swollen (?:lips|face)",
              r"hovne lepper|hoven i (?:ansiktet|leppene)|leppene (?:hovner|er hovne)"),
          context=rx(r"allerg\w*|sting|stung|bee|wasp|nuts?|peanuts?|stikk|veps|bie|notter|"
                      r"peanotter|hives|elveblest|reaction|reaksjon")),
    _Rule("heavy_bleeding", "emergency", rx(
        r"(?:heavy|heavily|severe|severely|massive|uncontrolled|profuse|profusely|serious) "
        r"(?:\w+ )?(?:bleed\w*|blood loss)",
        rf"bleed\w* {W}{{0,2}}(?:heavily|a lot|badly|profusely|everywhere|nonstop|non stop|"
        r"so much|too much|really bad|like crazy|wont stop|will not stop|doesnt stop|"
        r"does not stop)",
        r"(?:wont|will not|doesnt|does not|cant|cannot|can not) stop (?:the )?bleed\w*",
        r"(?:\w*bleed\w*|blood|blod|blodet|blodning\w*) (?:\w+ ){0,4}?(?:(?:wont|doesnt|"
        r"does not|will not|ikke vil|vil ikke|ikke) (?:stop|stopper|stoppe|stanser|stanse|"
        r"gir seg|gi seg)|(?:stopper|stanser|gir seg) ikke)",
        r"blood (?:is )?(?:everywhere|spurting|pouring|gushing)|(?:spurting|pouring|gushing) blood",
        r"(?:lots|a lot|so much|pool) of blood|(?:vomiting|throwing up|puking|vomited) "
        r"(?:\w+ ){0,3}blood|(?:renner|fosser|pumper|strommer) (?:\w+ )?blod",
        r"blodet (?:renner|fosser|pumper|strommer)|(?:kaster|kastet) opp (?:\w+ ){0,3}blod",
        r"bleeding out|kraftig\w* blodning|(?:stor|alvorlig|massiv) blodning|kaster opp blod",
        r"blor (?:\w+ ){0,2}(?:kraftig|mye|voldsomt|masse|fryktelig|veldig|som bare)",
        r"(?:slutter|stopper|stanser) ikke a blo|blodningen (?:stopper|gir seg) ikke|mye blod",
        r"masse blod|blod overalt|sprut\w* blod|(?:blod|blodet) spruter|kastet opp blod|spyr blod",
        r"far ikke (?:stoppet|stanset) blodningen",
    )),
    _Rule("unconscious", "emergency", rx(
        r"unconscious\w*|not conscious|lost consciousness|losing consciousness|lifeless|collaps\w*",
        r"cardiac arrest|heart (?:has )?stopped|no pulse|needs cpr|doing cpr|started cpr|cpr",
        r"bevisstlo\w*|bevisstlau\w*|mist\w* bevisstheten|ikke (?:ved )?bevissthet|ikke bevisst",
        r"ikke kontaktbar|kollaps\w*|falt om|segnet om|deiset (?:om|i bakken)|livlos|hjertestans",
        r"hjertet (?:har )?stoppet|ingen puls|hlr|hjerte lunge redning",
    )),
    # "Not responding", "won't wake up", "seems dead": said of a person, not of the app.
    _Rule("unconscious", "emergency", rx(
        rf"{PEOPLE} {W}{{0,3}}(?:not|isnt|wont|doesnt|is not|does not|stopped) (?:\w+ )?"
        r"(?:responding|respond|responsive|reacting|react|waking|moving)",
        rf"{PEOPLE} (?:is|seems|looks|might be|er) (?:dead|dod)(?! tired)|ser dod ut",
        rf"(?:cant|cannot|can not|couldnt|unable to) (?:wake|rouse) (?:up )?(?:my |our )?{PEOPLE}",
        rf"{PEOPLE} {W}{{0,2}}wont wake up|no response from (?:my |our )?{PEOPLE}",
        rf"{PEOPLE} {W}{{0,3}}(?:svarer|reagerer|responderer|beveger seg|puster|vakner|vaker) ikke",
        rf"far ikke (?:kontakt|svar) (?:med|fra) {PEOPLE}|far ikke vekket",
    )),
    _Rule("unconscious", "emergency", rx(r"unresponsive|not responsive"),
          unless=rx(rf"{TECH} {W}{{0,2}}(?:unresponsive|not responsive)")),
    # Someone else fainting may still be out: escalate; the writer who fainted is awake.
    _Rule("unconscious", "emergency", FAINT, context=PERSON),
    _Rule("seizure", "emergency", rx(
        r"seizures?|seizing|convuls\w*|(?:having|had|has|a|an) (?:epileptic )?fit",
        r"(?:hes|shes|is|are|keeps|started|been|baby|child|son|daughter) fitting",
        r"epileptic (?:fit|attack|seizure)|krampe(?:anfall|ne)?(?! i (?:leggen|foten|magen|laret))",
        r"kramper(?! i (?:leggen|foten|magen|laret))|feberkramp\w*|epileptisk anfall|har anfall",
        r"(?:et|fikk|fatt|har) anfall|rykninger i hele",
    )),
    # Overdose and poisoning: a quantity of pills, or a child that swallowed something.
    _Rule("overdose", "emergency", rx(
        r"overdos\w*|over dose|(?<!food )poison\w*|forgift\w*|giftinformasjon\w*",
        r"(?:took|taken|take|swallowed|ate|downed|tatt|tok|svelget|svelgde|spist|spiste|inntatt) "
        r"(?:\w+ ){0,3}(?:all|whole|too many|too much|lots of|a lot of|entire|bottle|pack|box|"
        r"handful|bunch of|loads of|many|several|alle|hele|hel|for mange|haugevis|en haug|"
        r"for mye|masse|mange|en boks|et brett|en eske|en pakke|"
        rf"[1-9][0-9]+) (?:\w+ ){{0,3}}{DRUGS}",
        rf"(?:alcohol|alkohol|vodka|wine|vin|drunk|full) (?:\w+ ){{0,6}}{DRUGS}",
        rf"{DRUGS} (?:\w+ ){{0,6}}(?:alcohol|alkohol|vodka|wine|vin|drunk|full)",
        r"(?:drank|drunk|swallowed|drakk|drukket|svelget) (?:\w+ ){0,2}(?:bleach|drain cleaner|"
        r"antifreeze|detergent|klorin|klor|rensemiddel|lampeolje|oppvaskmiddel|vaskemiddel|"
        r"lut|kjemikali\w*|chemicals?|battery|batteri|magnet\w*)",
        r"(?:child|kid|toddler|baby|son|daughter|barnet|ungen|gutten|jenta|babyen|datteren|sonnen|"
        r"sonn|datter) (?:\w+ ){0,3}(?:swallowed|ate|eaten|drank|got into|svelget|spiste|spist|"
        r"drakk|fikk i seg) (?:\w+ ){0,4}(?:pills?|tablets?|medicine|medication|meds|piller|"
        r"tabletter|medisin\w*)",
    )),
    # Suicide with a plan, a means or a time, or an attempt: 113 (ideation alone is urgent).
    _Rule("suicide_plan", "emergency", SUICIDE_IDEATION, context=SUICIDE_PLAN,
          mental_health=True),
    _Rule("suicide_plan", "emergency", rx(
        r"(?:tried|trying|attempted|attempt) to (?:kill|hang|end)|suicide attempt",
        r"attempted suicide|(?:going to|gonna|will|about to) (?:kill myself|end (?:it|my life)|"
        r"take my life|jump|hang myself)|hang myself|slit my wrists|cut my wrists",
        r"jump (?:off|from|in front)",
        r"suicide note|goodbye note|selvmordsforsok|(?:provd|provde|forsokt|forsokte) a "
        r"(?:ta|avslutte) (?:livet|mitt eget liv|mitt liv)",
        r"skal ta livet|kommer til a ta livet|henge meg|hoppe (?:fra|foran|utfor|ut fra)",
        r"kutt\w* (?:over )?(?:\w+ )?pulsar\w*|avskjedsbrev|(?:have|got) a plan to",
        r"har en plan om a|(?:har )?samlet (?:pa )?(?:\w+ )?(?:piller|tabletter)|stockpil\w*",
        r"(?:saved|saving|hoarding) (?:up )?(?:\w+ )?(?:pills|tablets)",
        r"(?:have|got|bought) (?:a |the )?(?:rope|noose)|noose|tar (?:jeg )?livet (?:mitt|av meg)",
        r"(?:want|going|about|ready) to jump (?:off|from|in front|out)|(?:standing|sitting) on "
        r"(?:the |a )?(?:roof|bridge|ledge|edge|railing)|star pa (?:taket|broa|brua|kanten)",
        r"(?:slit|slashed|cut) (?:my |his |her )?wrists?",
    ), mental_health=True),
    # Meningitis signs are an emergency red flag in the triage policy.
    _Rule("meningitis", "emergency", rx(
        r"rash (?:\w+ ){0,3}(?:doesnt|does not|wont|will not) (?:fade|go away|disappear)",
        r"petechia\w*|petekki\w*|purple (?:rash|spots)|lilla (?:utslett|prikker)",
        r"utslett (?:\w+ ){0,3}(?:forsvinner|blekner) ikke",
        r"utslett som ikke (?:forsvinner|blekner)|meningitt|meningitis|hjernehinnebetennelse",
    )),
    _Rule("meningitis", "emergency", rx(r"stiff neck|neck is stiff|nakkestiv\w*|stiv nakke"),
          context=FEVER),
    # The writer says it is an emergency or asks for an ambulance: believe them.
    _Rule("emergency_declared", "emergency", rx(
        r"(?:this|its|it is|is this) an? emergency|emergency(?! contracept\w*| pill| dent\w*)",
        r"ambulanc\w*|ambulans\w*|call 113|ring 113|call 911|call 112|ring 112|nodsituasjon",
        r"nodstilfelle|akutt hjelp|(?:think|feel like|feels like) (?:im|i am) (?:going to )?dying",
        r"(?:think|feel like|feels like) (?:im|i am) going to die",
    )),
    # Urgent, not life-threatening: legevakt 116117 ----------------------------------------
    _Rule("suicidal_thoughts", "urgent", SUICIDE_IDEATION, mental_health=True),
    _Rule("self_harm", "urgent", rx(
        r"self ?harm\w*|(?:hurting|harming|cutting) myself|(?:want to|wanna) (?:hurt|harm|cut) "
        r"myself|(?:hurt|harm|cut) myself (?:on purpose|again|deliberately)|harm myself",
        r"skade meg selv|skader meg selv|selvskad\w*|kutter meg|kuttet meg selv med vilje",
        r"hearing voices|horer stemmer|psykos\w*|psychos\w*",
    ), mental_health=True),
    _Rule("infant_fever", "urgent", FEVER, context=INFANT),
    _Rule("infant_fever", "urgent", rx(
        r"(?:not|isnt|wont|refuses to) (?:drinking|drink|feeding|feed|eating|eat)",
        r"limp|floppy|lethargic|vil ikke (?:drikke|spise)|drikker ikke|slapp|apatisk|slapp og",
    ), context=INFANT),
    _Rule("high_fever", "urgent", rx(
        r"high fever|very high temperature|hoy feber|hoy temperatur|feber pa (?:40|41|42)",
        r"(?:fever\w*|feber\w*|temp\w*|grader) (?:\w+ ){0,3}(?:4[0-2]|10[4-9])(?:\.\d)?",
        r"(?:4[0-2]|10[4-9])(?:\.\d)? i feber",
        r"(?:4[0-2]|10[4-9])(?:\.\d)? ?(?:c|grader|degrees|deg|celsius|f)",
    )),
    _Rule("fracture", "urgent", rx(
        r"(?:broken|broke|fractured|fracture|cracked|snapped|dislocated) (?:\w+ ){0,2}(?:arm|leg|"
        r"wrist|ankle|bones?|hip|collarbone|ribs?|finger|toe|foot|hand|elbow|knee|shoulder|nose|"
        r"jaw|femur|shin)",
        r"(?:arm|leg|wrist|ankle|bone|finger|toe|foot|hand|elbow|knee|shoulder|nose|hip) "
        r"(?:is |looks |seems |might be |could be )?(?:broken|fractured|dislocated)",
        r"(?:may|might|could) be (?:broken|fractured)|(?:is it|think its|think it is) broken",
        r"(?:armen|beinet|benet|foten|handleddet|ankelen|fingeren|taa|tommelen|kragebeinet) "
        r"(?:\w+ ){0,2}(?:brukket|knekt|ute av ledd)",
        r"(?:arm|leg|wrist|ankle|finger|armen|beinet|handleddet|ankelen|fingeren) (?:\w+ ){0,2}"
        r"(?:bent|crooked|deformed|skjev|skeiv|boyd)",
        r"(?:cant|cannot|can not) (?:walk|put weight|stand) on (?:it|my|his|her)",
        r"fractur\w*|dislocat\w*|bone (?:is )?(?:sticking|poking) out|beinbrudd",
        r"brudd(?! pa| i (?:samtalen|videoen|forbindelsen|linjen|appen))",
        r"(?:ben|arm|handledds|ankel|hofte|larhals|ribbeins|kragebeins|fot|finger|nese)brudd",
        r"(?:brukket|brakk|knekt|knakk|ute av ledd) (?:\w+ ){0,2}(?:armen|"
        r"beinet|benet|foten|handleddet|ankelen|hofta|hoften|fingeren|ribbein\w*|kragebeinet|"
        r"bein|ben|arm|fot|handledd|ankel|finger|kragebein|albue|kne|"
        r"albuen|kneet|skulderen|nesen|tommelen|taa)",
    )),
    # The triage policy: severity 8 of 10 or more is urgent.
    _Rule("severe_pain", "urgent", rx(
        r"(?:severe|extreme|excruciating|unbearable|terrible|intense|horrible|awful|agonizing|"
        r"agonising|worst) (?:\w+ ){0,2}(?:pain|pains|ache|cramps|headache|stomach ache)",
        r"pain (?:is )?(?:severe|unbearable|excruciating|extreme)|in agony|excruciating",
        r"so severe|ulidelig\w*",
        r"(?:pain|smerte\w*|vondt|hurts?) (?:\w+ ){0,4}(?:8|9|10) (?:out of |of |av )?10",
        r"(?:8|9|10) (?:out of |of |av )?10 (?:\w+ ){0,2}(?:pain|smerte\w*|vondt)",
        r"(?:sterke?|voldsomm?e?|ekstreme?|uutholdelige?|kraftige?|forferdelige?|grusomme?|"
        r"intense) (?:\w+ ){0,1}(?:smerter?|vondt|magesmerter|hodepine|kramper|magekramper)",
        r"(?:ekstremt|forferdelig|uutholdelig|sinnsykt|grusomt|helt jaevla|helt javla) vondt",
    )),
    _Rule("deep_cut", "urgent", rx(
        r"deep (?:cut|wound|gash|laceration)|(?:cut|gash|wound) (?:\w+ ){0,3}(?:deep|to the bone|"
        r"gaping|wide open)|(?:needs?|might need|think it needs) stitches|gash\w*|lacerat\w*",
        r"dyp\w* (?:kutt|sar|flenge)|kutt\w* (?:meg )?(?:\w+ ){0,3}dypt|ma (?:kanskje )?sys",
        r"trenger (?:a bli )?sydd|trenger sting|flenge|gapende sar|kuttet meg stygt",
        r"(?:kutt|kuttet|sar|saret|cut|wound|gash) (?:\w+ ){0,4}(?:gaper|gaping|gapes)",
    )),
    _Rule("head_injury", "urgent", rx(
        r"(?:hit|hitting|banged|bumped|knocked|struck) (?:\w+ ){0,2}head|head injury|concussion",
        r"fell (?:\w+ ){0,3}on (?:\w+ )?head|slo hodet|slatt hodet|slag mot hodet|hodeskade",
        r"hjernerystelse|skadet hodet|falt (?:\w+ ){0,3}(?:pa|i) hodet",
    )),
    _Rule("burn", "urgent", rx(
        r"(?:bad|badly|severe|serious|big|large|deep) (?:\w+ )?burn(?!out)\w*|scald\w*",
        r"burn(?:ed|t) (?:\w+ ){0,3}(?:badly|with boiling|with hot|by boiling|skin)",
        r"(?:got|was|been|is|were) (?:badly )?(?:burned|burnt|scalded)|(?:brent|brente) seg",
        r"(?:big|large|huge|lots of) blisters|store (?:brann)?blemmer",
        r"brannskade\w*|brannsar|forbrent|forbrenning|skoldet|skolda|brent meg (?:stygt|kraftig)",
    )),
    _Rule("eye_injury", "urgent", rx(
        r"(?:chemical|chemicals|bleach|acid|lye|klor|lut|syre|etsende|cleaning|spray|detergent|"
        r"vaskemiddel|kjemikali\w*) (?:\w+ ){0,3}(?:in|i) (?:\w+ )?"
        r"(?:eye|eyes|oyet|oynene)",
    )),
    _Rule("allergic_reaction", "urgent", rx(
        r"allergic reaction|allergisk reaksjon|hives (?:all over|everywhere)",
        r"elveblest (?:over hele|overalt)",
        r"(?:lips|face|eyes) (?:is |are )?(?:swelling|swollen)|swollen (?:lips|face)|hovne lepper",
        r"(?:face|lips|eyes|tongue|throat|mouth) (?:\w+ ){0,2}(?:swell\w*|puffed up)|hovnet opp",
        r"hoven i (?:ansiktet|leppene)",
    )),
    _Rule("bleeding", "urgent", rx(
        r"bleed\w*|nose ?bleeds?|neseblod\w*|blor|blodning\w*|blodde|blodet",
        r"(?:coughing|cough|coughed|hoster|hoste|hostet) (?:\w+ ){0,2}(?:blood|blod)",
        r"(?:blood|blod) (?:\w+ ){0,2}(?:coughing|cough|hoster|hoste)",
        r"blood in (?:my |his |her )?(?:stool|poo|urine|pee|vomit)|blod i (?:avforingen|urinen)",
    ), unless=rx(r"gums?|tannkjott\w*|bleeding money|blor penger")),
    _Rule("fainting", "urgent", FAINT),
)
# fmt: on
# Every reason an assessment can give: rule-group names, never the patient's words.
REASONS = frozenset(rule.reason for rule in _RULES)


def assess(text: str) -> Assessment:
    """Assess one message: the most severe level any rule group reaches, and the groups."""
    normal = rule_text(text)
    if not normal:
        return NONE
    matched: list[_Rule] = []
    for rule in _RULES:
        if not rule.signs.search(normal):
            continue
        if rule.context is not None and not rule.context.search(normal):
            continue
        if rule.unless is not None and rule.unless.search(normal):
            continue
        matched.append(rule)
    if not matched:
        return NONE
    level = max((r.level for r in matched), key=rank)
    reasons = tuple(dict.fromkeys(r.reason for r in sorted(matched, key=lambda r: -rank(r.level))))
    return Assessment(level, reasons, any(r.mental_health for r in matched))
