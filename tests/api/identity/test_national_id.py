import datetime as dt

import pytest

from api.identity.national_id import (
    InvalidNationalId,
    NationalIdKind,
    is_valid_national_id,
    make_national_id,
    parse_national_id,
)

TODAY = dt.date(2026, 11, 26)


@pytest.mark.parametrize(
    ("number", "born"),
    [
        ("15076500565", dt.date(1965, 7, 15)),  # the example Skatteetaten publishes
        ("01010049918", dt.date(1900, 1, 1)),  # individual 499: still 1900s
        ("29020050088", dt.date(2000, 2, 29)),  # leap day in 2000 (500-999 -> 2000s)
        ("29029610086", dt.date(1996, 2, 29)),  # leap day in 1996
        ("01015450068", dt.date(1854, 1, 1)),  # 500-749 with year 54-99 -> 1800s
        ("01016090073", dt.date(1960, 1, 1)),  # 900-999 with year 40-99 -> 1900s
        ("01012550185", dt.date(2025, 1, 1)),
        (" 150765 00565 ", dt.date(1965, 7, 15)),  # spaces people type are tolerated
    ],
)
def test_valid_fodselsnummer(number: str, born: dt.date) -> None:
    parsed = parse_national_id(number, today=TODAY)
    assert parsed.kind is NationalIdKind.FODSELSNUMMER
    assert parsed.birth_date == born
    assert parsed.value == number.replace(" ", "")


@pytest.mark.parametrize(
    ("number", "born"),
    [("41018036736", dt.date(1980, 1, 1)), ("71019912374", dt.date(1999, 1, 31))],
)
def test_valid_d_number(number: str, born: dt.date) -> None:
    parsed = parse_national_id(number, today=TODAY)
    assert parsed.kind is NationalIdKind.D_NUMBER
    assert parsed.birth_date == born


@pytest.mark.parametrize(
    "number",
    [
        "15076500564",  # second check digit off by one
        "15076500575",  # first check digit off by one
        "15076500556",  # both swapped
        "25076500565",  # a mistyped day digit
        "41018036737",  # D-number, second check digit wrong
    ],
)
def test_wrong_check_digits(number: str) -> None:
    with pytest.raises(InvalidNationalId) as error:
        parse_national_id(number, today=TODAY)
    assert error.value.code == "bad_check_digit"


def test_head_whose_check_digit_would_be_ten_is_refused() -> None:
    # 311299999 gives remainder 1 -> check digit 10, which is never issued.
    for last_two in ("00", "05", "99"):
        with pytest.raises(InvalidNationalId) as error:
            parse_national_id("311299999" + last_two, today=TODAY)
        assert error.value.code == "bad_check_digit"


@pytest.mark.parametrize(
    "number",
    [
        "29029710188",  # 29 February 1997 is not a day
        "31047510077",  # 31 April
        "01156010150",  # month 15
        "00016010061",  # day 0
        "01014575053",  # individual 750 with year 45 belongs to no century
        "01013550022",  # born 2035: in the future
    ],
)
def test_impossible_dates(number: str) -> None:
    with pytest.raises(InvalidNationalId) as error:
        parse_national_id(number, today=TODAY)
    assert error.value.code == "impossible_date"


@pytest.mark.parametrize("number", ["", "1507650056", "150765005655", "1"])
def test_wrong_length(number: str) -> None:
    with pytest.raises(InvalidNationalId) as error:
        parse_national_id(number, today=TODAY)
    expected = "not_digits" if number == "" else "wrong_length"
    assert error.value.code == expected


@pytest.mark.parametrize(
    "number", ["1507650056a", "15-07-65-00565", "١٥٠٧٦٥٠٠٥٦٥", "15076500565\x00", "DROP TABLE", "½"]
)
def test_non_digits(number: str) -> None:
    with pytest.raises(InvalidNationalId) as error:
        parse_national_id(number, today=TODAY)
    assert error.value.code == "not_digits"


def test_errors_never_echo_the_number() -> None:
    with pytest.raises(InvalidNationalId) as error:
        parse_national_id("15076500564", today=TODAY)
    assert "15076500564" not in str(error.value)


def test_not_text_is_refused() -> None:
    with pytest.raises(InvalidNationalId) as error:
        parse_national_id(15076500565)  # type: ignore[arg-type]
    assert error.value.code == "not_text"


def test_make_national_id_round_trips() -> None:
    made = 0
    for individual in range(500, 560):
        number = make_national_id(dt.date(2012, 5, 17), individual)
        if number is None:
            continue
        made += 1
        parsed = parse_national_id(number, today=TODAY)
        assert parsed.birth_date == dt.date(2012, 5, 17)
        d_number = make_national_id(dt.date(2012, 5, 17), individual, d_number=True)
        if d_number:
            assert parse_national_id(d_number, today=TODAY).kind is NationalIdKind.D_NUMBER
    assert made > 30


def test_make_national_id_refuses_an_individual_number_from_the_wrong_century() -> None:
    with pytest.raises(ValueError, match="century"):
        make_national_id(dt.date(2012, 5, 17), 100)


def test_masked() -> None:
    parsed = parse_national_id("15076500565", today=TODAY)
    assert parsed.masked() == "15*********"
    assert is_valid_national_id("15076500565")
    assert not is_valid_national_id("15076500566")
