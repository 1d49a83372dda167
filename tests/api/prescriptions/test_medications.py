import random
import re
import string
import time
from pathlib import Path

import pytest

from api.prescriptions.medications import (
    DEFAULT_PATH,
    Medication,
    MedicationFlag,
    MedicationTable,
    MedicationTableError,
    Reseptgruppe,
    get_medications,
    load_medications,
    normalise,
)

HEADER = "substance,brands,atc,reseptgruppe,flags"
ATC = re.compile(r"^[A-Z]\d\d[A-Z][A-Z]\d\d$")


@pytest.fixture(scope="module")
def table() -> MedicationTable:
    return load_medications()


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "medications.csv"
    path.write_text(text, encoding="utf-8")
    return path


# --- the shipped table ---------------------------------------------------------------------


def test_table_is_big_enough(table: MedicationTable) -> None:
    assert len(table) >= 70
    assert len({m.substance for m in table}) >= 60


def test_every_row_is_valid(table: MedicationTable) -> None:
    owners: dict[str, str] = {}
    for medication in table:
        assert medication.substance == medication.substance.strip().lower()
        assert ATC.match(medication.atc), medication
        assert isinstance(medication.reseptgruppe, Reseptgruppe)
        assert all(isinstance(flag, MedicationFlag) for flag in medication.flags)
        for name in medication.names:
            # No name (substance or brand) points at two substances.
            assert owners.setdefault(normalise(name), medication.substance) == medication.substance


def test_the_file_names_its_sources_and_that_it_is_a_subset() -> None:
    lines = DEFAULT_PATH.read_text(encoding="utf-8").splitlines()
    comments = []
    for line in lines:
        if not line.startswith("#"):
            break
        comments.append(line)
    assert 2 <= len(comments) <= 4
    text = " ".join(comments)
    assert "WHO Collaborating Centre" in text
    assert "Felleskatalogen" in text
    assert "subset" in text
    assert "not a complete formulary" in text.lower()
    assert lines[len(comments)] == HEADER


@pytest.mark.parametrize(
    ("substance", "atc", "group"),
    [
        ("zopiclone", "N05CF01", "B"),
        ("zolpidem", "N05CF02", "B"),
        ("oxycodone", "N02AA05", "A"),
        ("morphine", "N02AA01", "A"),
        ("fentanyl", "N02AB03", "A"),
        ("methylphenidate", "N06BA04", "A"),
        ("lisdexamfetamine", "N06BA12", "A"),
        ("levothyroxine", "H03AA01", "C"),
        ("amoxicillin", "J01CA04", "C"),
        ("pivmecillinam", "J01CA08", "C"),
        ("phenoxymethylpenicillin", "J01CE02", "C"),
        # The ATC index moved the gabapentinoids from N03AX (pregabalin N03AX16, gabapentin
        # N03AX12) to N02BF. Pregabalin has been reseptgruppe B since 1 June 2018.
        ("pregabalin", "N02BF02", "B"),
        ("gabapentin", "N02BF01", "C"),
        ("tramadol", "N02AX02", "B"),
        ("codeine and paracetamol", "N02AJ06", "B"),
        ("diazepam", "N05BA01", "B"),
        ("oxazepam", "N05BA04", "B"),
        ("alprazolam", "N05BA12", "B"),
        ("sertraline", "N06AB06", "C"),
        ("escitalopram", "N06AB10", "C"),
        ("salbutamol", "R03AC02", "C"),
        ("formoterol and budesonide", "R03AK07", "C"),
        ("mometasone", "R01AD09", "C"),
        ("levonorgestrel and ethinylestradiol", "G03AA07", "C"),
        ("metformin", "A10BA02", "C"),
        ("atorvastatin", "C10AA05", "C"),
        ("warfarin", "B01AA03", "C"),
        ("lithium", "N05AN01", "C"),
        ("methotrexate", "L04AX03", "C"),
        ("isotretinoin", "D10BA01", "C"),
        ("valaciclovir", "J05AB11", "C"),
    ],
)
def test_spot_checked_codes_and_groups(
    table: MedicationTable, substance: str, atc: str, group: str
) -> None:
    medication = table.get(substance)
    assert medication is not None
    assert medication.atc == atc
    assert medication.reseptgruppe == Reseptgruppe(group)


@pytest.mark.parametrize(
    ("substance", "flag"),
    [
        ("amoxicillin", MedicationFlag.LIMITED_PERIOD),
        ("nitrofurantoin", MedicationFlag.LIMITED_PERIOD),
        ("valaciclovir", MedicationFlag.LIMITED_PERIOD),
        ("isotretinoin", MedicationFlag.NEEDS_SPECIALIST_FOLLOW_UP),
        ("methotrexate", MedicationFlag.NEEDS_SPECIALIST_FOLLOW_UP),
        ("methotrexate", MedicationFlag.NEEDS_CLOSE_FOLLOW_UP),
        ("lithium", MedicationFlag.NEEDS_SPECIALIST_FOLLOW_UP),
        ("lithium", MedicationFlag.NEEDS_CLOSE_FOLLOW_UP),
        ("clozapine", MedicationFlag.NEEDS_CLOSE_FOLLOW_UP),
        ("methylphenidate", MedicationFlag.NEEDS_SPECIALIST_FOLLOW_UP),
        ("warfarin", MedicationFlag.NEEDS_CLOSE_FOLLOW_UP),
    ],
)
def test_spot_checked_flags(table: MedicationTable, substance: str, flag: MedicationFlag) -> None:
    medication = table.get(substance)
    assert medication is not None
    assert flag in medication.flags


def test_common_renewables_carry_no_renewal_blocking_flag(table: MedicationTable) -> None:
    blocking = {MedicationFlag.LIMITED_PERIOD, MedicationFlag.NEEDS_SPECIALIST_FOLLOW_UP}
    for substance in ("levothyroxine", "sertraline", "escitalopram", "salbutamol", "omeprazole"):
        medication = table.get(substance)
        assert medication is not None
        assert medication.reseptgruppe is Reseptgruppe.C
        assert not medication.flags & blocking


def test_get_is_case_and_accent_insensitive(table: MedicationTable) -> None:
    assert table.get("Zopiclone") is table.get("zopiclone")
    assert table.get(" ZOPICLONE ") is table.get("zopiclone")
    assert table.get("zópiclone") is table.get("zopiclone")
    assert table.get("Imovane") is None  # a brand, not a substance
    assert table.get("") is None


def test_default_table_is_loaded_once() -> None:
    assert get_medications() is get_medications()
    assert len(get_medications()) == len(load_medications())


# --- matching ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "substance"),
    [
        ("levotyroksin", "levothyroxine"),
        ("Levaxin", "levothyroxine"),
        ("sertralin", "sertraline"),
        ("zopiklon", "zopiclone"),
        ("imovan", "zopiclone"),
        ("ventolin", "salbutamol"),
        ("paralgin forte", "codeine and paracetamol"),
        ("Paralgin Forte", "codeine and paracetamol"),
        ("symbicort turbohaler", "formoterol and budesonide"),
        ("amoksicillin", "amoxicillin"),
        ("fenoksymetylpenicillin", "phenoxymethylpenicillin"),
        ("metotreksat", "methotrexate"),
        ("sitalopram", "citalopram"),
        ("esitalopram", "escitalopram"),
        ("Zolof", "sertraline"),
        ("cipralx", "escitalopram"),
        ("selo zok", "metoprolol"),
        ("Selo-Zok", "metoprolol"),
        ("glucofage", "metformin"),
        ("ozempik", "semaglutide"),
        ("tramagetik", "tramadol"),
        ("nobligan retard", "tramadol"),
        ("Sobril", "oxazepam"),
        ("Lyrica", "pregabalin"),
        ("ritalin", "methylphenidate"),
        ("Ibux", "ibuprofen"),
        ("Sertralín", "sertraline"),
    ],
)
def test_match_finds_typos_brands_and_norwegian_spellings(
    table: MedicationTable, text: str, substance: str
) -> None:
    matches = table.match(text)
    assert matches, text
    assert matches[0].medication.substance == substance
    assert 0.75 <= matches[0].score <= 1.0


@pytest.mark.parametrize(
    ("text", "substance"),
    [
        ("I need more Imovane 7.5mg please", "zopiclone"),
        ("Kan jeg få fornyet resepten på Cipralexen min?", "escitalopram"),
        ("Ventolinen min er nesten tom", "salbutamol"),
        ("Jeg trenger mer levotyroksin 50 mikrogram", "levothyroxine"),
        ("symbicort turbohaler 160/4,5 mikrogram", "formoterol and budesonide"),
        ("Hei! Bruker Microgynon og trenger ny resept", "levonorgestrel and ethinylestradiol"),
        ("renew my sertraline 50 mg, thanks", "sertraline"),
    ],
)
def test_match_finds_names_inside_sentences(
    table: MedicationTable, text: str, substance: str
) -> None:
    matches = table.match(text)
    assert [m.medication.substance for m in matches][:1] == [substance]


def test_exact_names_score_one_and_typos_less(table: MedicationTable) -> None:
    exact = table.match("Imovane")[0]
    assert (exact.medication.substance, exact.matched_name, exact.score) == (
        "zopiclone",
        "Imovane",
        1.0,
    )
    assert table.match("zopiclone")[0].score == 1.0
    assert table.match("I need more Imovane please")[0].score == 1.0
    typo = table.match("imovan")[0]
    assert typo.medication.substance == "zopiclone"
    assert 0.75 <= typo.score < 1.0


def test_match_returns_several_medicines_best_first_once_each(table: MedicationTable) -> None:
    matches = table.match("metformin og atorvastatin, og Levaxin 100 og levotyroksin", limit=10)
    substances = [m.medication.substance for m in matches]
    assert set(substances) == {"metformin", "atorvastatin", "levothyroxine"}
    assert len(substances) == len(set(substances))
    scores = [m.score for m in matches]
    assert scores == sorted(scores, reverse=True)
    assert all(0.75 <= score <= 1.0 for score in scores)


def test_match_respects_limit(table: MedicationTable) -> None:
    text = "metformin atorvastatin sertraline omeprazole salbutamol"
    assert len(table.match(text)) == 3
    assert len(table.match(text, limit=5)) == 5
    assert len(table.match(text, limit=1)) == 1
    assert table.match(text, limit=0) == []


@pytest.mark.parametrize(
    "text",
    [
        "Hei, jeg trenger ny resept på medisinen min. Kan dere hjelpe meg?",
        "My doctor is on holiday and I need my usual medicine for blood pressure.",
        "I have attention problems and cannot concentrate at the concert",
        "Jeg har hatt vondt i halsen i tre dager og feber.",
        "Hva koster en konsultasjon med lege?",
        "yes please",
    ],
)
def test_ordinary_sentences_name_no_medicine(table: MedicationTable, text: str) -> None:
    assert table.match(text) == []


@pytest.mark.parametrize(
    "text",
    ["", "   ", "!!!", "?", "12345 678", "\x00\x00\x00", "😀😀😀", "a" * 10_000, "-" * 10_000],
)
def test_garbage_returns_nothing(table: MedicationTable, text: str) -> None:
    assert table.match(text) == []


@pytest.mark.parametrize("seed", range(5))
def test_ten_kilobytes_of_random_characters_return_nothing_quickly(
    table: MedicationTable, seed: int
) -> None:
    rng = random.Random(seed)
    alphabets = [
        string.printable,
        string.ascii_lowercase + " ",
        "".join(chr(c) for c in range(0x20, 0x3000)),
    ]
    for alphabet in alphabets:
        text = "".join(rng.choices(alphabet, k=10 * 1024))
        started = time.perf_counter()
        assert table.match(text) == []
        assert time.perf_counter() - started < 1.0


def test_long_messages_are_searched_within_bounds(table: MedicationTable) -> None:
    # Far down a long message nothing is looked for: that bound keeps pasted garbage cheap.
    assert table.match("bla " * 2000 + "Imovane") == []
    # A name spelt right is found after a couple of hundred words...
    assert table.match("bla " * 250 + "Imovane")[0].medication.substance == "zopiclone"
    # ...but typos are tolerated only near the start, where a request names its medicine.
    assert table.match("Imovnae please")[0].medication.substance == "zopiclone"
    assert table.match("bla " * 100 + "Imovnae") == []


# --- the loader refuses garbage ------------------------------------------------------------

ROW = "zopiclone,Imovane,N05CF01,B,"
OTHER = "amoxicillin,Imacillin,J01CA04,C,limited_period"


def test_loader_reads_a_small_table_with_comments_blank_lines_and_bom(tmp_path: Path) -> None:
    path = tmp_path / "medications.csv"
    text = f"# source\n\n{HEADER}\n# a note\n{ROW}\n\n{OTHER}\r\n"
    path.write_bytes(b"\xef\xbb\xbf" + text.encode("utf-8"))
    table = load_medications(path)
    assert len(table) == 2
    amoxicillin = table.get("amoxicillin")
    assert amoxicillin == Medication(
        "amoxicillin",
        ("Imacillin",),
        "J01CA04",
        Reseptgruppe.C,
        frozenset({MedicationFlag.LIMITED_PERIOD}),
    )
    zopiclone = table.get("zopiclone")
    assert zopiclone is not None
    assert zopiclone.flags == frozenset()


@pytest.mark.parametrize(
    ("text", "line", "problem"),
    [
        (f"{ROW}\n", 1, "missing column"),  # the first row is taken as a header
        ("substance,brands,atc,reseptgruppe\n" + ROW, 1, "missing column(s) flags"),
        (HEADER + ",notes\n" + ROW + ",x", 1, "unexpected column(s) notes"),
        ("substance,atc,brands,reseptgruppe,flags\n" + ROW, 1, "columns out of order"),
        (f"# c\n{HEADER}\n{ROW}\nsertraline,Zoloft,N06AB06,C\n", 4, "expected 5 fields, found 4"),
        (f"{HEADER}\n{ROW},extra\n", 2, "expected 5 fields, found 6"),
        (f"{HEADER}\nzopiclone,Imovane,N5CF01,B,\n", 2, "ATC code"),
        (f"{HEADER}\nzopiclone,Imovane,n05cf01,B,\n", 2, "ATC code"),
        (f"{HEADER}\nzopiclone,Imovane,,B,\n", 2, "ATC code"),
        (f"{HEADER}\nzopiclone,Imovane,N05CF01,D,\n", 2, "unknown reseptgruppe 'D'"),
        (f"{HEADER}\nzopiclone,Imovane,N05CF01,b,\n", 2, "unknown reseptgruppe 'b'"),
        (f"{HEADER}\nzopiclone,Imovane,N05CF01,B,habit_forming\n", 2, "unknown flag"),
        (f"{HEADER}\n{OTHER};short_course\n", 2, "unknown flag 'short_course'"),
        (f"{HEADER}\n{ROW}\n# note\n{ROW}\n", 4, "duplicate substance 'zopiclone'"),
        (f"{HEADER}\n{ROW}\nZopiclone,,N05CF01,B,\n", 3, "lowercase"),
        (f"{HEADER}\n,Imovane,N05CF01,B,\n", 2, "substance"),
        (f"{HEADER}\n{ROW}\nzolpidem,Imovane,N05CF02,B,\n", 3, "already belongs to 'zopiclone'"),
        (f"{HEADER}\nzopiclone,Imovane;;Zopiklon,N05CF01,B,\n", 2, "empty brand"),
        (f'{HEADER}\nzopiclone,"Imovane,N05CF01,B,\n', 2, "not valid CSV"),
    ],
)
def test_loader_refuses_bad_rows_naming_the_line(
    tmp_path: Path, text: str, line: int, problem: str
) -> None:
    path = write(tmp_path, text)
    with pytest.raises(MedicationTableError) as caught:
        load_medications(path)
    assert caught.value.line == line
    assert problem in caught.value.problem
    assert f"line {line}" in str(caught.value)
    assert str(path) in str(caught.value)


@pytest.mark.parametrize("text", ["", "\n\n   \n", "# only a comment\n# and another\n"])
def test_loader_refuses_an_empty_file(tmp_path: Path, text: str) -> None:
    with pytest.raises(MedicationTableError, match="empty"):
        load_medications(write(tmp_path, text))


def test_loader_refuses_a_header_without_rows(tmp_path: Path) -> None:
    with pytest.raises(MedicationTableError, match="no medicines"):
        load_medications(write(tmp_path, f"# source\n{HEADER}\n"))


def test_loader_refuses_a_file_that_is_not_utf8(tmp_path: Path) -> None:
    path = tmp_path / "medications.csv"
    path.write_bytes(f"{HEADER}\n{ROW}\n".encode() + "søvn,,N05CF01,B,\n".encode("latin-1"))
    with pytest.raises(MedicationTableError, match="not UTF-8") as caught:
        load_medications(path)
    assert caught.value.line == 3


def test_loader_refuses_a_missing_file(tmp_path: Path) -> None:
    with pytest.raises(MedicationTableError, match="cannot be read"):
        load_medications(tmp_path / "nope.csv")


def test_table_error_is_a_value_error() -> None:
    assert issubclass(MedicationTableError, ValueError)


@pytest.mark.parametrize(
    ("fields", "problem"),
    [
        ({"substance": ""}, "substance"),
        ({"substance": " zopiclone"}, "substance"),
        ({"atc": "N05CF1"}, "ATC"),
        ({"brands": ("",)}, "brand"),
    ],
)
def test_medication_validates_itself(fields: dict[str, object], problem: str) -> None:
    values: dict[str, object] = {
        "substance": "zopiclone",
        "brands": ("Imovane",),
        "atc": "N05CF01",
        "reseptgruppe": Reseptgruppe.B,
        "flags": frozenset(),
    }
    values.update(fields)
    with pytest.raises(ValueError, match=problem):
        Medication(**values)  # type: ignore[arg-type]
