"""The public vote on the portal and through the API: verification, casting and every refusal."""

import datetime as dt
import re

import pytest
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.db import connection
from django.urls import reverse
from django.utils import timezone

from gangwan.core.models import AuditEntry, Role
from gangwan.core.notifications import ConsoleSmsGateway
from gangwan.voting import services, verification
from gangwan.voting.models import Ballot
from tests import factories as f

PHONE = "13905741234"


@pytest.fixture(autouse=True)
def _clean(db):
    cache.clear()
    ConsoleSmsGateway.outbox.clear()
    yield
    cache.clear()


@pytest.fixture
def poll_and_cands(db):
    admin = f.user(role=Role.DISTRICT_ADMIN)
    now = timezone.now()
    poll = services.poll_create(
        title="服务先锋评选",
        opens_at=now - dt.timedelta(hours=1),
        closes_at=now + dt.timedelta(days=1),
        max_choices=2,
        actor=admin,
    )
    cands = [
        services.candidate_add(poll=poll, name=n, text="十五年照顾孤儿", actor=admin)
        for n in ("王警官", "李阿姨", "张师傅")
    ]
    return poll, cands


def _code() -> str:
    return re.search(r"\d{6}", ConsoleSmsGateway.outbox[-1][1]).group()


def _verify(client, poll, phone=PHONE, django_capture_on_commit_callbacks=None):
    url = reverse("voting_public:verify", args=[poll.pk])
    with django_capture_on_commit_callbacks(execute=True):
        r = client.post(url, {"step": "phone", "phone": phone})
    assert r.status_code == 200, r.content.decode()
    r = client.post(url, {"step": "code", "phone": phone, "code": _code()})
    assert r.status_code == 200
    return re.search(r'name="token" value="([^"]+)"', r.content.decode()).group(1)


def test_poll_page_lists_candidates_and_links_to_vote(client, poll_and_cands):
    poll, cands = poll_and_cands
    r = client.get(reverse("voting_public:poll", args=[poll.pk]))
    assert r.status_code == 200
    body = r.content.decode()
    assert "王警官" in body and "十五年照顾孤儿" in body and "gw-vote-start" in body
    assert client.get(reverse("voting_public:list")).status_code == 200
    landing = client.get(reverse("portal:landing")).content.decode()
    assert reverse("voting_public:list") in landing


def test_voter_verifies_chooses_casts_and_sees_the_choices(
    client, poll_and_cands, django_capture_on_commit_callbacks
):
    poll, (a, b, c) = poll_and_cands
    token = _verify(
        client, poll, django_capture_on_commit_callbacks=django_capture_on_commit_callbacks
    )
    r = client.post(
        reverse("voting_public:cast", args=[poll.pk]), {"token": token, "choices": [a.pk, c.pk]}
    )
    assert r.status_code == 302
    thanks = client.get(r["Location"])
    body = thanks.content.decode()
    assert (
        "gw-vote-thanks" in body and "王警官" in body and "张师傅" in body and "李阿姨" not in body
    )
    ballot = Ballot.objects.get()
    assert ballot.voter_key == verification.voter_key_of(PHONE)
    # No phone in the ballot table, in any form a reader could reverse.
    assert PHONE not in str(Ballot.objects.values().get())
    # The same person again: refused by the database.
    r = client.post(
        reverse("voting_public:cast", args=[poll.pk]), {"token": token, "choices": [b.pk]}
    )
    assert r.status_code == 409
    assert Ballot.objects.count() == 1


def test_unverified_voter_is_refused(client, poll_and_cands):
    poll, (a, *_) = poll_and_cands
    r = client.post(
        reverse("voting_public:cast", args=[poll.pk]), {"token": "forged:token", "choices": [a.pk]}
    )
    assert r.status_code == 403
    other = services.poll_create(
        title="另一投票",
        opens_at=poll.opens_at,
        closes_at=poll.closes_at,
        actor=None,
    )
    token_for_other = verification.voter_token(poll=other, voter_key="k")
    r = client.post(
        reverse("voting_public:cast", args=[poll.pk]), {"token": token_for_other, "choices": [a.pk]}
    )
    assert r.status_code == 403
    assert not Ballot.objects.exists()


def test_expired_verification_is_refused(client, poll_and_cands, settings):
    poll, (a, *_) = poll_and_cands
    token = verification.voter_token(poll=poll, voter_key="k")
    settings.GANGWAN_RULE_DEFAULTS = {
        **settings.GANGWAN_RULE_DEFAULTS,
        "voting.verification_minutes": -1,
    }
    r = client.post(
        reverse("voting_public:cast", args=[poll.pk]), {"token": token, "choices": [a.pk]}
    )
    assert r.status_code == 403
    assert "expired" in r.content.decode() or "过期" in r.content.decode()


def test_wrong_code_is_refused_and_lockout_grows(
    client, poll_and_cands, django_capture_on_commit_callbacks, settings
):
    settings.GANGWAN_RULE_DEFAULTS = {
        **settings.GANGWAN_RULE_DEFAULTS,
        "voting.verify_per_phone_per_hour": 100,
    }
    poll, _ = poll_and_cands
    url = reverse("voting_public:verify", args=[poll.pk])
    with django_capture_on_commit_callbacks(execute=True):
        client.post(url, {"step": "phone", "phone": PHONE})
    right = _code()
    wrong = "000000" if right != "000000" else "111111"
    for _ in range(5):
        r = client.post(url, {"step": "code", "phone": PHONE, "code": wrong})
        assert r.status_code == 422
    # Locked: even the right code is refused now.
    r = client.post(url, {"step": "code", "phone": PHONE, "code": right})
    assert r.status_code == 422
    from gangwan.core import phone_verification as pv

    first = pv.lockout_remaining(PHONE, verification.purpose_of(poll))
    assert 0 < first <= 60
    # A second round of wrong codes locks for longer (1 → 2 minutes).
    cache.delete(pv._lock_key(pv.crypto.blind_index(PHONE), verification.purpose_of(poll)))
    from gangwan.core.models import PhoneChallenge

    PhoneChallenge.objects.update(created_at=timezone.now() - dt.timedelta(minutes=5))
    with django_capture_on_commit_callbacks(execute=True):
        client.post(url, {"step": "phone", "phone": PHONE})
    for _ in range(5):
        client.post(url, {"step": "code", "phone": PHONE, "code": wrong})
    second = pv.lockout_remaining(PHONE, verification.purpose_of(poll))
    assert second > 60
    assert not Ballot.objects.exists()


def test_expired_code_is_refused(client, poll_and_cands, django_capture_on_commit_callbacks):
    poll, _ = poll_and_cands
    url = reverse("voting_public:verify", args=[poll.pk])
    with django_capture_on_commit_callbacks(execute=True):
        client.post(url, {"step": "phone", "phone": PHONE})
    from gangwan.core.models import PhoneChallenge

    PhoneChallenge.objects.update(expires_at=timezone.now() - dt.timedelta(seconds=1))
    r = client.post(url, {"step": "code", "phone": PHONE, "code": _code()})
    assert r.status_code == 422
    assert "expired" in r.content.decode() or "过期" in r.content.decode()


def test_closed_poll_refuses_verification_and_ballots(client, poll_and_cands):
    poll, (a, *_) = poll_and_cands
    token = verification.voter_token(poll=poll, voter_key="k")
    poll.closes_at = timezone.now() - dt.timedelta(seconds=1)
    poll.save()
    assert client.get(reverse("voting_public:verify", args=[poll.pk])).status_code == 403
    r = client.post(
        reverse("voting_public:cast", args=[poll.pk]), {"token": token, "choices": [a.pk]}
    )
    assert r.status_code == 409
    assert not Ballot.objects.exists()


def test_too_many_choices_are_refused(client, poll_and_cands):
    poll, cands = poll_and_cands
    token = verification.voter_token(poll=poll, voter_key="k")
    r = client.post(
        reverse("voting_public:cast", args=[poll.pk]),
        {"token": token, "choices": [c.pk for c in cands]},
    )
    assert r.status_code == 422
    assert not Ballot.objects.exists()


def test_rate_limit_per_ip_on_casts_and_codes(client, poll_and_cands, settings):
    poll, (a, *_) = poll_and_cands
    settings.GANGWAN_RULE_DEFAULTS = {
        **settings.GANGWAN_RULE_DEFAULTS,
        "voting.cast_per_ip_per_minute": 2,
        "voting.codes_per_ip_per_hour": 1,
    }
    url = reverse("voting_public:cast", args=[poll.pk])
    for i in range(2):
        token = verification.voter_token(poll=poll, voter_key=f"k{i}")
        assert client.post(url, {"token": token, "choices": [a.pk]}).status_code == 302
    token = verification.voter_token(poll=poll, voter_key="k9")
    assert client.post(url, {"token": token, "choices": [a.pk]}).status_code == 429
    assert Ballot.objects.count() == 2
    verify = reverse("voting_public:verify", args=[poll.pk])
    assert client.post(verify, {"step": "phone", "phone": PHONE}).status_code == 200
    r = client.post(verify, {"step": "phone", "phone": "13905749999"})
    assert r.status_code == 422


def test_rate_limit_per_phone_on_code_checks(client, poll_and_cands, settings):
    poll, _ = poll_and_cands
    settings.GANGWAN_RULE_DEFAULTS = {
        **settings.GANGWAN_RULE_DEFAULTS,
        "voting.verify_per_phone_per_hour": 2,
    }
    url = reverse("voting_public:verify", args=[poll.pk])
    client.post(url, {"step": "phone", "phone": PHONE})  # 1
    client.post(url, {"step": "code", "phone": PHONE, "code": "123456"})  # 2
    r = client.post(url, {"step": "code", "phone": PHONE, "code": "123456"})  # 3: limited
    assert r.status_code == 422
    assert "Too many attempts" in r.content.decode() or "尝试次数过多" in r.content.decode()


def test_captcha_is_required_when_the_poll_asks(
    client, poll_and_cands, django_capture_on_commit_callbacks
):
    poll, _ = poll_and_cands
    services.poll_update(poll=poll, captcha=True, actor=None)
    url = reverse("voting_public:verify", args=[poll.pk])
    body = client.get(url).content.decode()
    q = re.search(r"(\d) \+ (\d) = \?", body)
    token = re.search(r'name="captcha_token" value="([^"]+)"', body).group(1)
    r = client.post(
        url, {"step": "phone", "phone": PHONE, "captcha_token": token, "captcha_answer": "99"}
    )
    assert r.status_code == 422 and not ConsoleSmsGateway.outbox
    answer = str(int(q.group(1)) + int(q.group(2)))
    with django_capture_on_commit_callbacks(execute=True):
        r = client.post(
            url, {"step": "phone", "phone": PHONE, "captcha_token": token, "captcha_answer": answer}
        )
    assert r.status_code == 200 and ConsoleSmsGateway.outbox
    # An answer is used once.
    r = client.post(
        url,
        {"step": "phone", "phone": "13905740000", "captcha_token": token, "captcha_answer": answer},
    )
    assert r.status_code == 422


def test_results_hidden_until_close_then_show_invalidated_counts(client, poll_and_cands):
    poll, (a, b, _) = poll_and_cands
    admin = f.user(role=Role.DISTRICT_ADMIN)
    ballot = services.ballot_cast(poll=poll, voter_key="x", choices=[a])
    services.ballot_cast(poll=poll, voter_key="y", choices=[b])
    url = reverse("voting_public:results", args=[poll.pk])
    hidden = client.get(url)
    assert hidden.status_code == 200 and hidden.context["hidden"] and "rows" not in hidden.context
    services.ballot_invalidate(ballot=ballot, reason="重复号码段", actor=admin)
    poll.closes_at = timezone.now() - dt.timedelta(seconds=1)
    poll.save()
    r = client.get(url)
    assert r.status_code == 200
    summary = re.search(r'id="gw-vote-summary">([^<]+)', r.content.decode()).group(1)
    assert re.findall(r"\d+", summary) == ["1", "1"]  # valid, invalidated


# --- API ---------------------------------------------------------------------------------------


def test_api_verify_confirm_cast_and_query_count(
    client, poll_and_cands, django_capture_on_commit_callbacks, django_assert_max_num_queries
):
    poll, (a, b, _) = poll_and_cands
    base = f"/api/v1/voting/polls/{poll.pk}"
    assert client.get(base).json()["candidates"][0]["name"] == "王警官"
    with django_capture_on_commit_callbacks(execute=True):
        r = client.post(f"{base}/verification", {"phone": PHONE}, content_type="application/json")
    assert r.status_code == 202
    r = client.post(
        f"{base}/verification/confirm",
        {"phone": PHONE, "code": "000000" if _code() != "000000" else "111111"},
        content_type="application/json",
    )
    assert r.status_code == 422
    r = client.post(
        f"{base}/verification/confirm",
        {"phone": PHONE, "code": _code()},
        content_type="application/json",
    )
    assert r.status_code == 200
    token = r.json()["token"]
    # The cast path: the poll, the rate-limit counter (database cache: a few statements), and the
    # cast: on PostgreSQL one statement (ballot, choices and counters), elsewhere one transaction
    # of three statements.
    with django_assert_max_num_queries(12) as ctx:
        r = client.post(
            f"{base}/ballots",
            {"token": token, "choices": [a.pk, b.pk]},
            content_type="application/json",
        )
    assert r.status_code == 200, r.content
    writes = [q["sql"] for q in ctx.captured_queries if "voting_" in q["sql"]]
    # PostgreSQL: [SELECT poll (unless kept from a moment ago),] the cast statement.
    assert len(writes) == 5 if connection.vendor != "postgresql" else len(writes) in (1, 2)
    assert "INSERT INTO voting_ballot " in writes[-1] or connection.vendor != "postgresql"
    assert r.json()["choices"] == sorted([a.pk, b.pk])
    r = client.post(
        f"{base}/ballots", {"token": token, "choices": [a.pk]}, content_type="application/json"
    )
    assert r.status_code == 409
    r = client.post(
        f"{base}/ballots",
        {"token": "bad", "choices": [a.pk]},
        content_type="application/json",
    )
    assert r.status_code == 403
    assert client.get(f"{base}/results").status_code == 403
    assert Ballot.objects.count() == 1
    assert not AuditEntry.objects.filter(after__icontains=PHONE).exists()


def test_rate_limit_counts_in_redis_when_configured(settings):
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": "redis://127.0.0.1:6379/6",
            "KEY_PREFIX": "gw6-test",
        }
    }
    from django.core.cache import caches

    caches["default"].delete("voting-rl:cast-ip:192.0.2.1")
    assert [verification.hit("cast-ip:192.0.2.1", 2, 30) for _ in range(3)] == [True, True, False]
    backend = caches["default"]
    key = backend.make_and_validate_key("voting-rl:cast-ip:192.0.2.1")
    assert 0 < backend._cache.get_client(key).ttl(key) <= 30
    backend.delete("voting-rl:cast-ip:192.0.2.1")


def test_a_voting_code_is_tied_to_its_poll(
    client, poll_and_cands, django_capture_on_commit_callbacks
):
    poll, _ = poll_and_cands
    other = services.poll_create(
        title="另一投票", opens_at=poll.opens_at, closes_at=poll.closes_at, actor=None
    )
    services.candidate_add(poll=other, name="赵", actor=None)
    base = f"/api/v1/voting/polls/{poll.pk}"
    with django_capture_on_commit_callbacks(execute=True):
        r = client.post(f"{base}/verification", {"phone": PHONE}, content_type="application/json")
    assert r.status_code == 202
    code = _code()
    # The code sent for `poll` does not verify the phone for `other`.
    r = client.post(
        f"/api/v1/voting/polls/{other.pk}/verification/confirm",
        {"phone": PHONE, "code": code},
        content_type="application/json",
    )
    assert r.status_code == 422
    r = client.post(
        f"{base}/verification/confirm",
        {"phone": PHONE, "code": code},
        content_type="application/json",
    )
    assert r.status_code == 200


def test_phone_rate_limit_keys_are_keyed_hashes_of_the_normalized_phone(
    client, poll_and_cands, settings
):
    poll, _ = poll_and_cands
    settings.GANGWAN_RULE_DEFAULTS = {
        **settings.GANGWAN_RULE_DEFAULTS,
        "voting.verify_per_phone_per_hour": 2,
        "voting.codes_per_ip_per_hour": 100,
    }
    base = f"/api/v1/voting/polls/{poll.pk}"
    for phone in (PHONE, f"+86 {PHONE[:3]} {PHONE[3:7]} {PHONE[7:]}"):
        r = client.post(f"{base}/verification", {"phone": phone}, content_type="application/json")
        assert r.status_code != 429  # (the second may wait for the resend interval: 422)
    # A third spelling of the same number is the same counter: limited.
    r = client.post(
        f"{base}/verification",
        {"phone": f"{PHONE[:3]}-{PHONE[3:]}"},
        content_type="application/json",
    )
    assert r.status_code == 429
    # The key is not an unkeyed hash anyone could compute from a phone number.
    import hashlib

    assert verification._phone_key(PHONE) != hashlib.sha256(PHONE.encode()).hexdigest()[:24]
    assert verification._phone_key(PHONE) == verification._phone_key(f"+86{PHONE}")


def test_rotating_the_data_key_does_not_let_a_phone_vote_again(
    client, poll_and_cands, settings, monkeypatch, django_capture_on_commit_callbacks
):
    poll, (a, b, _c) = poll_and_cands
    settings.DATA_KEY = "the-old-data-key"
    monkeypatch.delenv("GANGWAN_DATA_KEYS_OLD", raising=False)
    base = f"/api/v1/voting/polls/{poll.pk}"

    def token():
        with django_capture_on_commit_callbacks(execute=True):
            client.post(f"{base}/verification", {"phone": PHONE}, content_type="application/json")
        r = client.post(
            f"{base}/verification/confirm",
            {"phone": PHONE, "code": _code()},
            content_type="application/json",
        )
        assert r.status_code == 200
        return r.json()["token"]

    old_token = token()
    r = client.post(
        f"{base}/ballots", {"token": old_token, "choices": [a.pk]}, content_type="application/json"
    )
    assert r.status_code == 200
    # The key rotates: the old one stays only to read data saved under it.
    settings.DATA_KEY = "the-new-data-key"
    monkeypatch.setenv("GANGWAN_DATA_KEYS_OLD", "the-old-data-key")
    cache.clear()
    r = client.post(
        f"{base}/ballots", {"token": token(), "choices": [b.pk]}, content_type="application/json"
    )
    assert r.status_code == 409
    assert Ballot.objects.count() == 1


def test_a_voter_token_from_before_a_key_rotation_is_refused(poll_and_cands, settings, monkeypatch):
    poll, _ = poll_and_cands
    settings.DATA_KEY = "the-old-data-key"
    token = verification.voter_token(poll=poll, voter_key="k")
    settings.DATA_KEY = "the-new-data-key"
    monkeypatch.setenv("GANGWAN_DATA_KEYS_OLD", "the-old-data-key")
    with pytest.raises(ValidationError):
        verification.voter_from_token(poll=poll, token=token)


def test_public_api_does_not_expose_polls_that_are_not_public(client, db):
    now = timezone.now()
    hidden = services.poll_create(
        title="筹备中",
        opens_at=now - dt.timedelta(hours=1),
        closes_at=now + dt.timedelta(days=1),
        actor=None,
    )  # no candidates yet: the portal 404s it
    base = f"/api/v1/voting/polls/{hidden.pk}"
    assert client.get(base).status_code == 404
    assert client.get(f"{base}/captcha").status_code == 404
    assert client.get(f"{base}/results").status_code == 404
    r = client.post(f"{base}/verification", {"phone": PHONE}, content_type="application/json")
    assert r.status_code == 404 and not ConsoleSmsGateway.outbox
    r = client.post(
        f"{base}/verification/confirm",
        {"phone": PHONE, "code": "123456"},
        content_type="application/json",
    )
    assert r.status_code == 404
