"""Validators for identifiers: resident ID numbers (GB 11643), unified social credit codes
(GB 32100) and mainland mobile phone numbers. Messages are in the user's language."""

from __future__ import annotations

import datetime as dt
import re
import unicodedata

from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _

ID_WEIGHTS = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2]
ID_CHECK = "10X98765432"


def id_number_check_char(first17: str) -> str:
    return ID_CHECK[sum(int(c) * w for c, w in zip(first17, ID_WEIGHTS, strict=True)) % 11]


def normalize_id_number(value: str) -> str:
    # NFKC turns full-width input (１２３Ｘ, common with Chinese input methods) into ASCII.
    return unicodedata.normalize("NFKC", value or "").strip().upper().replace(" ", "")


def parse_id_number(value: str) -> tuple[dt.date, str]:
    """Validate an 18-character resident ID number; return (birth date, gender 'male'/'female')."""
    v = normalize_id_number(value)
    if not re.fullmatch(r"[0-9]{17}[0-9X]", v):
        raise ValidationError(
            _("An ID number has 17 digits followed by a digit or X."), code="id_format"
        )
    try:
        birth = dt.date(int(v[6:10]), int(v[10:12]), int(v[12:14]))
    except ValueError:
        raise ValidationError(
            _("The birth date inside the ID number is not a real date."), code="id_birth"
        ) from None
    if birth > timezone.localdate() or birth.year < 1900:
        raise ValidationError(
            _("The birth date inside the ID number is out of range."), code="id_birth"
        )
    if id_number_check_char(v[:17]) != v[17]:
        raise ValidationError(
            _("The ID number's check character is wrong (GB 11643); please check the number."),
            code="id_checksum",
        )
    gender = "male" if int(v[16]) % 2 else "female"
    return birth, gender


def validate_id_number(
    value: str, *, birth_date: dt.date | None = None, gender: str | None = None
) -> str:
    """Validate and normalize; birth date and gender, when given, must agree with the number."""
    v = normalize_id_number(value)
    birth, g = parse_id_number(v)
    if birth_date and birth_date != birth:
        raise ValidationError(
            _("The birth date does not agree with the ID number (%(date)s).")
            % {"date": birth.isoformat()},
            code="id_birth_mismatch",
        )
    if gender and gender != g:
        raise ValidationError(
            _("The gender does not agree with the ID number."), code="id_gender_mismatch"
        )
    return v


CREDIT_CHARS = "0123456789ABCDEFGHJKLMNPQRTUWXY"
CREDIT_WEIGHTS = [1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28]


def credit_code_check_char(first17: str) -> str:
    total = sum(CREDIT_CHARS.index(c) * w for c, w in zip(first17, CREDIT_WEIGHTS, strict=True))
    return CREDIT_CHARS[(31 - total % 31) % 31]


def validate_credit_code(value: str) -> str:
    """Unified social credit code, GB 32100-2015: 18 characters, last one a mod-31 check."""
    v = re.sub(r"[\s-]", "", unicodedata.normalize("NFKC", value or "")).upper()
    if len(v) != 18 or any(c not in CREDIT_CHARS for c in v):
        raise ValidationError(
            _(
                "A unified social credit code has 18 characters: digits and capital letters except I, O, Z, S, V."
            ),
            code="credit_format",
        )
    if not v[2:8].isdigit():  # characters 3–8: the registering authority's GB/T 2260 area code
        raise ValidationError(
            _("Characters 3 to 8 of a unified social credit code are the area code (6 digits)."),
            code="credit_format",
        )
    if credit_code_check_char(v[:17]) != v[17]:
        raise ValidationError(
            _("The credit code's check character is wrong (GB 32100); please check the code."),
            code="credit_checksum",
        )
    return v


def validate_phone(value: str) -> str:
    v = re.sub(r"[\s-]", "", unicodedata.normalize("NFKC", value or ""))
    if v.startswith("+86"):
        v = v[3:]
    if not re.fullmatch(r"1[3-9][0-9]{9}", v):
        raise ValidationError(
            _("A mobile phone number has 11 digits and starts with 13–19."), code="phone_format"
        )
    return v
