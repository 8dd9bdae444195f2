"""Voting services: polls, casting and its refusals, invalidation, recount, flags."""

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from gangwan.core.models import AuditEntry, Role
from gangwan.voting import selectors, services
from gangwan.voting.models import Ballot, Flag, FlagKind, FlagStatus, Invalidation
from tests import factories as f


@pytest.fixture
def admin(district):
    return f.user(role=Role.DISTRICT_ADMIN, region=district.district)


def make_poll(actor, n=3, **kw):
    now = timezone.now()
    opts = {
        "title": "2013 区域党员服务先锋",
        "opens_at": now - dt.timedelta(hours=1),
        "closes_at": now + dt.timedelta(days=3),
        "max_choices": 2,
        "actor": actor,
    }
    opts.update(kw)
    poll = services.poll_create(**opts)
    cands = [
        services.candidate_add(poll=poll, name=f"候选人{i}", text="事迹", actor=actor)
        for i in range(n)
    ]
    return poll, cands


def test_poll_create_and_candidates_are_audited(admin):
    poll, cands = make_poll(admin, owner_ref="pioneers.selection:1")
    assert poll.owner_ref == "pioneers.selection:1"
    assert [c.position for c in cands] == [1, 2, 3]
    actions = set(AuditEntry.objects.values_list("action", flat=True))
    assert {"voting.poll_create", "voting.candidate_add"} <= actions


def test_poll_must_close_after_it_opens(admin):
    now = timezone.now()
    with pytest.raises(ValidationError):
        services.poll_create(title="x", opens_at=now, closes_at=now, actor=admin)


def test_cast_counts_live_and_results_order(admin):
    poll, (a, b, c) = make_poll(admin)
    services.ballot_cast(poll=poll, voter_key="v1", choices=[a.pk, b.pk], ip="10.1.2.3")
    services.ballot_cast(poll=poll, voter_key="v2", choices=[b], ip="10.1.2.4")
    rows = services.poll_results(poll=poll)
    assert [(r["candidate"], r["votes"]) for r in rows] == [(b, 2), (a, 1), (c, 0)]
    ballot = Ballot.objects.get(voter_key="v1")
    assert ballot.network == "10.1.2.0/24"
    assert ballot.choices_key == f"{a.pk},{b.pk}"
    assert selectors.poll_summary(poll=poll) == {"valid": 2, "invalidated": 0, "cast": 2}


def test_refused_when_closed_or_not_open(admin):
    now = timezone.now()
    poll, (a, *_) = make_poll(
        admin, opens_at=now - dt.timedelta(days=2), closes_at=now - dt.timedelta(days=1)
    )
    with pytest.raises(ValidationError) as e:
        services.ballot_cast(poll=poll, voter_key="v", choices=[a])
    assert e.value.code == "closed"
    poll2, (a2, *_) = make_poll(
        admin, opens_at=now + dt.timedelta(days=1), closes_at=now + dt.timedelta(days=2)
    )
    with pytest.raises(ValidationError) as e:
        services.ballot_cast(poll=poll2, voter_key="v", choices=[a2])
    assert e.value.code == "not_open"
    assert not Ballot.objects.exists()


def test_refused_without_voter_or_choices(admin):
    poll, (a, b, c) = make_poll(admin)
    for kwargs, code in [
        ({"voter_key": "", "choices": [a]}, "unverified"),
        ({"voter_key": "v", "choices": []}, "no_choice"),
        ({"voter_key": "v", "choices": [a, a]}, "repeated"),
        ({"voter_key": "v", "choices": [a, b, c]}, "too_many"),
        ({"voter_key": "v", "choices": ["x"]}, "unknown"),
    ]:
        with pytest.raises(ValidationError) as e:
            services.ballot_cast(poll=poll, **kwargs)
        assert e.value.code == code
    assert not Ballot.objects.exists()


def test_candidate_of_another_poll_is_refused_and_nothing_is_written(admin):
    poll, (a, *_) = make_poll(admin)
    other, (x, *_) = make_poll(admin)
    with pytest.raises(ValidationError) as e:
        services.ballot_cast(poll=poll, voter_key="v", choices=[a, x])
    assert e.value.code == "unknown"
    assert not Ballot.objects.exists()
    assert services.live_counts(poll) == services.counts_from_ballots(poll)


def test_duplicate_ballot_is_refused_by_the_database(admin):
    poll, (a, b, _) = make_poll(admin)
    services.ballot_cast(poll=poll, voter_key="v", choices=[a])
    with pytest.raises(ValidationError) as e:
        services.ballot_cast(poll=poll, voter_key="v", choices=[b])
    assert e.value.code == "duplicate"
    assert Ballot.objects.count() == 1
    assert services.live_counts(poll)["ballots"] == 1


def test_per_day_poll_allows_one_ballot_each_day(admin):
    poll, (a, *_) = make_poll(admin, per_day=True)
    now = timezone.now()
    services.ballot_cast(poll=poll, voter_key="v", choices=[a], now=now)
    with pytest.raises(ValidationError) as e:
        services.ballot_cast(poll=poll, voter_key="v", choices=[a], now=now)
    assert e.value.code == "duplicate"
    services.ballot_cast(poll=poll, voter_key="v", choices=[a], now=now + dt.timedelta(days=1))
    assert Ballot.objects.filter(voter_key="v").count() == 2


def test_invalidation_needs_a_reason_is_audited_and_counted(admin):
    poll, (a, b, _) = make_poll(admin)
    ballot = services.ballot_cast(poll=poll, voter_key="v", choices=[a, b])
    services.ballot_cast(poll=poll, voter_key="w", choices=[a])
    with pytest.raises(ValidationError):
        services.ballot_invalidate(ballot=ballot, reason=" ", actor=admin)
    services.ballot_invalidate(ballot=ballot, reason="刷票", actor=admin)
    with pytest.raises(ValidationError):
        services.ballot_invalidate(ballot=ballot, reason="again", actor=admin)
    assert AuditEntry.objects.filter(action="voting.ballot_invalidate", reason="刷票").exists()
    assert selectors.poll_summary(poll=poll) == {"valid": 1, "invalidated": 1, "cast": 2}
    assert {r["candidate"]: r["votes"] for r in services.poll_results(poll=poll)}[a] == 1
    assert services.live_counts(poll) == services.counts_from_ballots(poll)


def test_recount_agrees_with_live_counts_and_repairs_them(admin):
    poll, (a, b, c) = make_poll(admin)
    for i in range(20):
        services.ballot_cast(poll=poll, voter_key=f"v{i}", choices=[[a], [b, c], [a, c]][i % 3])
    result = services.poll_recount(poll=poll, actor=admin)
    assert result["agreed"] is True
    assert result["recount"]["ballots"] == 20
    # A counter damaged behind the service's back is found and rewritten from the ballots.
    poll.tallies.filter(candidate=a, shard=3).update(votes=999)
    result = services.poll_recount(poll=poll, actor=admin)
    assert result["agreed"] is False
    assert services.live_counts(poll) == services.counts_from_ballots(poll)
    assert AuditEntry.objects.filter(action="voting.poll_recount").count() == 2


def test_burst_from_one_network_is_flagged_and_can_be_invalidated(admin, settings):
    settings.GANGWAN_RULE_DEFAULTS = {
        **settings.GANGWAN_RULE_DEFAULTS,
        "voting.flag_network_ballots": 5,
        "voting.flag_same_choices_ballots": 1000,
    }
    poll, (a, b, _) = make_poll(admin)
    now = timezone.now()
    for i in range(6):
        services.ballot_cast(
            poll=poll,
            voter_key=f"n{i}",
            choices=[a],
            ip=f"61.1.1.{i}",
            now=now + dt.timedelta(seconds=i),
        )
    for i in range(4):  # spread over other networks: no flag
        services.ballot_cast(poll=poll, voter_key=f"o{i}", choices=[b], ip=f"62.{i}.1.1", now=now)
    assert services.flags_scan(poll=poll) == 1
    assert services.flags_scan(poll=poll) == 0  # idempotent
    flag = Flag.objects.get()
    assert (flag.kind, flag.key, flag.count) == (FlagKind.NETWORK, "61.1.1.0/24", 6)
    assert services.flag_invalidate(flag=flag, reason="同一网段集中投票", actor=admin) == 6
    flag.refresh_from_db()
    assert flag.status == FlagStatus.INVALIDATED
    assert Invalidation.objects.filter(flag=flag).count() == 6
    assert selectors.poll_summary(poll=poll)["invalidated"] == 6
    assert services.live_counts(poll) == services.counts_from_ballots(poll)


def test_same_choices_burst_is_flagged_and_can_be_dismissed(admin, settings):
    settings.GANGWAN_RULE_DEFAULTS = {
        **settings.GANGWAN_RULE_DEFAULTS,
        "voting.flag_network_ballots": 1000,
        "voting.flag_same_choices_ballots": 5,
    }
    poll, (a, b, _) = make_poll(admin)
    now = timezone.now()
    for i in range(5):
        services.ballot_cast(
            poll=poll, voter_key=f"s{i}", choices=[a, b], ip=f"70.{i}.0.1", now=now
        )
    assert services.flags_scan(poll=poll) == 1
    flag = Flag.objects.get()
    assert flag.kind == FlagKind.SAME_CHOICES
    services.flag_dismiss(flag=flag, note="集体活动现场投票", actor=admin)
    with pytest.raises(ValidationError):
        services.flag_invalidate(flag=flag, reason="x", actor=admin)
    assert not Invalidation.objects.exists()


def test_candidates_are_frozen_once_ballots_exist(admin):
    poll, (a, *_) = make_poll(admin)
    services.ballot_cast(poll=poll, voter_key="v", choices=[a])
    with pytest.raises(ValidationError):
        services.candidate_add(poll=poll, name="late", actor=admin)
    with pytest.raises(ValidationError):
        services.poll_update(poll=poll, max_choices=5, actor=admin)


def test_a_stale_copy_of_the_poll_cannot_let_a_ballot_through(admin):
    poll, (a, *_) = make_poll(admin)
    stale = type(poll).objects.get(pk=poll.pk)
    services.poll_update(poll=poll, closes_at=timezone.now() - dt.timedelta(seconds=1), actor=admin)
    with pytest.raises(ValidationError) as e:
        services.ballot_cast(poll=stale, voter_key="v", choices=[a])
    assert e.value.code == "closed"
    assert not Ballot.objects.exists()


def test_periodic_scan_flags_bursts_of_open_polls_only(admin, settings):
    from gangwan.voting.tasks import flags_scan_open_polls

    settings.GANGWAN_RULE_DEFAULTS = {
        **settings.GANGWAN_RULE_DEFAULTS,
        "voting.flag_network_ballots": 3,
    }
    poll, (a, *_) = make_poll(admin)
    for i in range(3):
        services.ballot_cast(poll=poll, voter_key=f"k{i}", choices=[a], ip=f"9.9.9.{i}")
    assert flags_scan_open_polls() == 1
    assert flags_scan_open_polls() == 0
    assert flags_scan_open_polls(now=timezone.now() + dt.timedelta(days=5)) == 0


def test_a_closed_poll_with_ballots_cannot_be_reopened(admin):
    poll, (a, *_) = make_poll(admin)
    services.ballot_cast(poll=poll, voter_key="v1", choices=[a])
    type(poll).objects.filter(pk=poll.pk).update(closes_at=timezone.now() - dt.timedelta(minutes=1))
    poll.refresh_from_db()
    with pytest.raises(ValidationError) as e:
        services.poll_update(
            poll=poll, closes_at=timezone.now() + dt.timedelta(days=1), actor=admin
        )
    assert "closes_at" in e.value.message_dict
    poll.refresh_from_db()
    assert poll.is_closed()
    # The description may still change.
    services.poll_update(poll=poll, description="结果已公布", actor=admin)


def test_a_running_poll_with_ballots_may_still_be_extended(admin):
    poll, (a, *_) = make_poll(admin)
    services.ballot_cast(poll=poll, voter_key="v1", choices=[a])
    later = poll.closes_at + dt.timedelta(days=1)
    assert services.poll_update(poll=poll, closes_at=later, actor=admin).closes_at == later


def _network_by_ipaddress(ip):
    import ipaddress

    try:
        addr = ipaddress.ip_address((ip or "").strip())
    except ValueError:
        return ""
    prefix = 24 if addr.version == 4 else 48
    return str(ipaddress.ip_network(f"{addr}/{prefix}", strict=False))


@pytest.mark.parametrize(
    "ip",
    [
        "203.0.113.9",
        "255.255.255.255",
        "0.0.0.0",
        "10.0.0.1",
        "010.1.1.1",  # leading zeros: refused as ipaddress does
        "1.2.3",
        "1.2.3.4.5",
        "256.1.1.1",
        " 1.2.3.4",
        "1.2.3.4 ",
        "١.٢.٣.٤",  # non-ASCII digits
        "1..2.3",
        "a.b.c.d",
        "::1",
        "2001:db8:85a3::8a2e:370:7334",
        "",
    ],
)
def test_network_of_agrees_with_ipaddress(ip):
    assert services.network_of(ip) == _network_by_ipaddress(ip)


def test_polls_made_with_fewer_counter_shards_get_the_missing_rows(admin):
    import importlib

    from django.apps import apps

    from gangwan.voting.models import TALLY_SHARDS, Tally

    migration = importlib.import_module("gangwan.voting.migrations.0003_tally_shard_rows")
    poll, cands = make_poll(admin)
    services.ballot_cast(poll=poll, voter_key="v1", choices=[cands[0]], ip="10.0.0.1")
    before = services.live_counts(poll)
    # As a poll made when there were 8 shards: rows of shards 8.. missing (no votes on them).
    Tally.objects.filter(poll=poll, shard__gte=8, votes=0).delete()
    assert Tally.objects.filter(poll=poll).count() < (len(cands) + 1) * TALLY_SHARDS
    migration.add_counter_shards(apps, None)
    assert Tally.objects.filter(poll=poll).count() == (len(cands) + 1) * TALLY_SHARDS
    assert services.live_counts(poll) == before == services.counts_from_ballots(poll)
    # Every shard now takes a ballot.
    for i in range(2, 40):
        services.ballot_cast(poll=poll, voter_key=f"v{i}", choices=[cands[1]], ip="10.0.0.1")
    assert services.live_counts(poll) == services.counts_from_ballots(poll)


def test_a_poll_made_with_fewer_shards_by_an_older_release_still_counts_every_ballot(admin):
    """During a rolling deploy an older release may make a poll with 8 counter shards after the
    migration: ballots meant for the missing shards are stored and counted on shard 0,
    which every poll has."""
    from gangwan.voting.models import Tally

    poll, cands = make_poll(admin)
    Tally.objects.filter(poll=poll, shard__gte=8).delete()
    for i in range(60):
        services.ballot_cast(
            poll=poll, voter_key=f"old-{i}", choices=[cands[i % 3]], ip=f"10.0.{i}.1"
        )
    assert Ballot.objects.filter(poll=poll).count() == 60
    live = services.live_counts(poll)
    assert live == services.counts_from_ballots(poll) and live["ballots"] == 60


def test_choice_ids_beyond_any_id_are_refused(admin):
    poll, _cands = make_poll(admin)
    for choice in (2**63, 0, -5):
        with pytest.raises(ValidationError) as err:
            services.ballot_cast(poll=poll, voter_key="v", choices=[choice], ip="10.0.0.1")
        assert err.value.code == "unknown"
