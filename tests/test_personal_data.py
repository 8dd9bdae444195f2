"""Personal data (PIPL, SPEC §2): ID numbers and phones are encrypted at rest, found by keyed hash,
shown masked, revealed only with a logged reason, and survive a key rotation."""

import datetime as dt
from pathlib import Path

import pytest
from django.core.exceptions import ValidationError
from django.db import connection

from gangwan.core import crypto
from gangwan.core.models import AuditEntry
from gangwan.core.scopes import Scope
from gangwan.core.validators import id_number_check_char
from gangwan.members.models import Member
from gangwan.members.selectors import member_find_by_id_number, member_list
from gangwan.members.services import (
    member_create,
    member_personal_data_rekey,
    member_reveal,
    member_update,
)
from tests import factories as f

PHONE = "13912345678"


def _id_number_ending_in_x(area: str = "330206", seq: str = "123") -> str:
    """A valid number like 3302…123X: the birth date is chosen so that the check character is X."""
    day = dt.date(1980, 1, 1)
    while True:
        first17 = f"{area}{day:%Y%m%d}{seq}"
        if id_number_check_char(first17) == "X":
            return first17 + "X"
        day += dt.timedelta(days=1)


ID_NUMBER = _id_number_ending_in_x()


def _register(
    organization, *, id_number: str = ID_NUMBER, phone: str = PHONE, actor=None
) -> Member:
    return member_create(
        actor=actor, name="王海燕", id_number=id_number, phone=phone, organization=organization
    )


def test_masks_show_first_four_and_last_four_of_an_id_number_and_hide_a_phones_middle():
    assert crypto.mask_id_number("33020619850601123X") == "3302**********123X"
    assert crypto.mask_phone("13812345678") == "138****5678"
    assert crypto.mask_id_number("") == "" and crypto.mask_phone("123") == "***"


def test_member_shows_masked_values(district):
    m = _register(district.gaotang_committee)
    assert m.id_number_masked == ID_NUMBER[:4] + "*" * 10 + ID_NUMBER[-4:]
    assert m.id_number_masked.endswith("123X") and m.id_number_masked.startswith("3302")
    assert m.phone_masked == "139****5678"


def test_raw_columns_hold_no_plain_id_number_or_phone(district):
    _register(district.gaotang_committee)
    with connection.cursor() as cursor:
        cursor.execute("select id_number, phone, id_number_hash, phone_hash from members_member")
        rows = cursor.fetchall()
    assert len(rows) == 1
    stored = " ".join(str(v) for v in rows[0])
    assert ID_NUMBER not in stored and ID_NUMBER[:-1] not in stored and PHONE not in stored
    # ...and yet the model reads them back in the clear.
    m = Member.objects.get()
    assert (m.id_number, m.phone) == (ID_NUMBER, PHONE)


def test_audit_trail_holds_masked_values_only(district):
    actor = f.user()
    m = _register(district.gaotang_committee, actor=actor)
    member_update(actor=actor, member=m, phone="13700001111")
    for entry in AuditEntry.objects.filter(action__startswith="member."):
        text = str(entry.before) + str(entry.after) + entry.reason
        assert ID_NUMBER not in text and PHONE not in text and "13700001111" not in text
    created = AuditEntry.objects.get(action="member.create")
    assert created.after["id_number"] == "3302**********123X"
    assert created.after["phone"] == "139****5678"
    assert "id_number_hash" not in created.after
    updated = AuditEntry.objects.get(action="member.update")
    assert (updated.before["phone"], updated.after["phone"]) == ("139****5678", "137****1111")


@pytest.mark.django_db(transaction=True)
def test_database_file_holds_no_plain_id_number_or_phone(tmp_path):
    """Read the bytes the database keeps on disk and look for the plain values: the SQLite file (a
    copy made by VACUUM INTO when the test database lives in memory), or on PostgreSQL the member
    table's relation file after a checkpoint."""
    d = f.district()
    org = f.organization("中共北仑区委", "committee", d)
    _register(org, actor=f.user())
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("CHECKPOINT")
            cursor.execute("SELECT pg_read_binary_file(pg_relation_filepath('members_member'))")
            data = bytes(cursor.fetchone()[0])
    else:
        name = str(connection.settings_dict["NAME"])
        if connection.is_in_memory_db() or not Path(name).exists():
            target = tmp_path / "copy.sqlite3"
            with connection.cursor() as cursor:
                cursor.execute("VACUUM INTO %s", [str(target)])
            files = [target]
        else:
            files = [p for p in (Path(name), Path(name + "-wal")) if p.exists()]
        data = b"".join(p.read_bytes() for p in files)
    assert "王海燕".encode() in data  # the bytes really hold the member
    assert ID_NUMBER.encode() not in data
    assert ID_NUMBER[:-1].encode() not in data
    assert PHONE.encode() not in data


def test_lookup_by_blind_index_finds_the_member(district):
    m = _register(district.gaotang_committee)
    assert member_find_by_id_number(ID_NUMBER) == m
    assert member_find_by_id_number(ID_NUMBER.lower()) == m
    assert member_find_by_id_number(f.id_number()) is None
    everything = Scope(everything=True)
    assert list(member_list(scope=everything, q=PHONE)) == [m]
    assert list(member_list(scope=everything, q=ID_NUMBER.lower())) == [m]
    assert list(member_list(scope=everything, q="13900000000")) == []


def test_duplicate_id_number_is_refused(district):
    _register(district.gaotang_committee)
    with pytest.raises(ValidationError) as exc:
        _register(district.qingzhi_committee, phone="13600000000")
    assert "id_number" in exc.value.message_dict


def test_reveal_needs_a_reason_and_is_logged(district):
    actor = f.user(role="district_admin", region=district.district)
    m = _register(district.gaotang_committee)
    for reason in ("", "   ", "看"):
        with pytest.raises(ValidationError):
            member_reveal(actor=actor, member=m, field="id_number", reason=reason)
    assert not AuditEntry.objects.filter(action__startswith="member.reveal").exists()
    with pytest.raises(ValidationError):
        member_reveal(actor=actor, member=m, field="name", reason="核对身份信息")

    assert (
        member_reveal(actor=actor, member=m, field="id_number", reason="办理组织关系转接，核对身份")
        == ID_NUMBER
    )
    assert (
        member_reveal(actor=actor, member=m, field="phone", reason="联系党员参加主题党日") == PHONE
    )
    entries = AuditEntry.objects.filter(action__startswith="member.reveal").order_by("id")
    assert [e.action for e in entries] == ["member.reveal.id_number", "member.reveal.phone"]
    assert entries[0].actor == actor and entries[0].reason == "办理组织关系转接，核对身份"
    assert entries[0].object_id == str(m.pk)


def test_key_rotation_old_data_still_decrypts_and_is_found(district, settings, monkeypatch):
    settings.DATA_KEY = "old-data-key-2013"
    monkeypatch.delenv("GANGWAN_DATA_KEYS_OLD", raising=False)
    m = _register(district.gaotang_committee)

    # Rotate: a new key, the old one kept for reading.
    settings.DATA_KEY = "new-data-key-2014"
    monkeypatch.setenv("GANGWAN_DATA_KEYS_OLD", "old-data-key-2013")
    again = Member.objects.get(pk=m.pk)
    assert (again.id_number, again.phone) == (ID_NUMBER, PHONE)
    assert member_find_by_id_number(ID_NUMBER) == again
    assert list(member_list(scope=Scope(everything=True), q=PHONE)) == [again]
    with pytest.raises(ValidationError):  # the duplicate check still sees the old hash
        _register(district.qingzhi_committee, phone="13600000000")

    # New writes use the new key; re-keying moves the old rows over.
    other = _register(district.qingzhi_committee, id_number=f.id_number(), phone="13600000000")
    assert member_personal_data_rekey(actor=None) == 2
    assert AuditEntry.objects.filter(action="member.rekey").exists()

    # The old key can now be dropped.
    monkeypatch.delenv("GANGWAN_DATA_KEYS_OLD")
    assert Member.objects.get(pk=m.pk).id_number == ID_NUMBER
    assert Member.objects.get(pk=other.pk).phone == "13600000000"
    assert member_find_by_id_number(ID_NUMBER).pk == m.pk
    assert list(member_list(scope=Scope(everything=True), q=PHONE)) == [Member.objects.get(pk=m.pk)]


def test_without_the_old_key_old_data_does_not_decrypt(district, settings, monkeypatch):
    monkeypatch.delenv("GANGWAN_DATA_KEYS_OLD", raising=False)
    settings.DATA_KEY = "old-data-key-2013"
    m = _register(district.gaotang_committee)
    settings.DATA_KEY = "new-data-key-2014"
    with pytest.raises(ValueError):
        Member.objects.get(pk=m.pk)
