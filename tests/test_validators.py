"""Identifiers: resident ID numbers (GB 11643), unified social credit codes (GB 32100), phones."""

import datetime as dt

import pytest
from django.core.exceptions import ValidationError

from gangwan.core.validators import (
    credit_code_check_char,
    id_number_check_char,
    parse_id_number,
    validate_credit_code,
    validate_id_number,
    validate_phone,
)


def _with_check(first17: str) -> str:
    return first17 + id_number_check_char(first17)


def _code(exc: pytest.ExceptionInfo) -> str:
    return exc.value.error_list[0].code


# --- GB 11643 resident ID numbers -----------------------------------------------------------
@pytest.mark.parametrize(
    ("number", "birth", "gender"),
    [
        (
            "11010519491231002X",
            dt.date(1949, 12, 31),
            "female",
        ),  # the standard's own example, check X
        ("110101199003077758", dt.date(1990, 3, 7), "male"),
        ("330206198506013456", None, None),  # built below with the right check digit
    ],
)
def test_gb11643_valid_numbers_give_birth_date_and_gender(number, birth, gender):
    if birth is None:
        number = _with_check(number[:17])
        birth, gender = dt.date(1985, 6, 1), "male"  # 17th digit 5 is odd: male
    assert parse_id_number(number) == (birth, gender)
    assert validate_id_number(number) == number


def test_gb11643_check_character_x():
    assert id_number_check_char("11010519491231002") == "X"
    assert validate_id_number("11010519491231002x") == "11010519491231002X"  # lower case accepted


def test_gb11643_wrong_check_character_is_refused():
    good = "110101199003077758"
    for wrong in "0123456X":
        with pytest.raises(ValidationError) as exc:
            validate_id_number(good[:17] + wrong)
        assert _code(exc) == "id_checksum"


def test_gb11643_a_swapped_digit_is_caught():
    with pytest.raises(ValidationError):
        validate_id_number("110101199003077578")


def test_gb11643_impossible_birth_date_is_refused_even_with_a_right_check():
    for first17 in ("11010119900230123", "11010119901301123", "11010119900132123"):
        with pytest.raises(ValidationError) as exc:
            validate_id_number(_with_check(first17))
        assert _code(exc) == "id_birth"


def test_gb11643_birth_in_the_future_or_before_1900_is_refused():
    tomorrow = dt.date.today() + dt.timedelta(days=1)
    for first17 in (f"110101{tomorrow:%Y%m%d}123", "11010118991231123"):
        with pytest.raises(ValidationError) as exc:
            validate_id_number(_with_check(first17))
        assert _code(exc) == "id_birth"


def test_gb11643_format_is_refused():
    for bad in (
        "",
        "1101011990030777",
        "1101011990030775X8",
        "11010119900307775Y",
        "X10101199003077758",
    ):
        with pytest.raises(ValidationError) as exc:
            validate_id_number(bad)
        assert _code(exc) == "id_format"


def test_gb11643_non_ascii_digits_are_not_digits():
    arabic_indic = "".join(chr(0x0660 + int(c)) for c in "11010519491231002") + "X"
    with pytest.raises(ValidationError):
        validate_id_number(arabic_indic)


def test_gb11643_full_width_input_is_normalized():
    full_width = "".join(chr(ord(c) + 0xFEE0) for c in "11010519491231002X")
    assert validate_id_number(f" {full_width} ") == "11010519491231002X"


def test_gb11643_gender_must_agree_with_the_number():
    assert validate_id_number("11010519491231002X", gender="female")
    with pytest.raises(ValidationError) as exc:
        validate_id_number("11010519491231002X", gender="male")
    assert _code(exc) == "id_gender_mismatch"


def test_gb11643_birth_date_must_agree_with_the_number():
    assert validate_id_number("110101199003077758", birth_date=dt.date(1990, 3, 7))
    with pytest.raises(ValidationError) as exc:
        validate_id_number("110101199003077758", birth_date=dt.date(1990, 7, 3))
    assert _code(exc) == "id_birth_mismatch"


# --- GB 32100 unified social credit codes ---------------------------------------------------
@pytest.mark.parametrize(
    "code",
    [
        "91350100M000100Y43",  # the example in GB 32100-2015
        "91110000600037341L",
        "91440300708461136T",
    ],
)
def test_gb32100_known_valid_codes(code):
    assert credit_code_check_char(code[:17]) == code[17]
    assert validate_credit_code(code) == code
    assert validate_credit_code(f" {code.lower()} ") == code


def test_gb32100_wrong_check_character_is_refused():
    code = "91350100M000100Y43"
    for wrong in "0124ABY":
        with pytest.raises(ValidationError) as exc:
            validate_credit_code(code[:17] + wrong)
        assert _code(exc) == "credit_checksum"


@pytest.mark.parametrize("letter", ["I", "O", "Z", "S", "V"])
def test_gb32100_forbidden_letters_are_refused(letter):
    # Even with a check character computed as if the letter were allowed, the code is refused.
    with pytest.raises(ValidationError) as exc:
        validate_credit_code(f"91350100M00010{letter}Y43")
    assert _code(exc) == "credit_format"


def test_gb32100_area_code_is_six_digits():
    first17 = "91A50100M000100Y4"
    with pytest.raises(ValidationError) as exc:
        validate_credit_code(first17 + credit_code_check_char(first17))
    assert _code(exc) == "credit_format"


def test_gb32100_length_is_refused():
    for bad in ("", "91350100M000100Y4", "91350100M000100Y433"):
        with pytest.raises(ValidationError):
            validate_credit_code(bad)


# --- phones ---------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("raw", "clean"),
    [
        ("13812345678", "13812345678"),
        ("138-1234-5678", "13812345678"),
        ("+86 199 1234 5678", "19912345678"),
        ("１３８１２３４５６７８", "13812345678"),
    ],
)
def test_mobile_phones_are_normalized(raw, clean):
    assert validate_phone(raw) == clean


@pytest.mark.parametrize(
    "bad", ["", "1381234567", "138123456789", "12812345678", "05768612345", "1381234567a"]
)
def test_bad_phones_are_refused(bad):
    with pytest.raises(ValidationError):
        validate_phone(bad)
