"""Service pioneers in the demo district (SPEC §5, seed §3).

- "2013年度区域党员服务先锋评选", finished: 36 grassroots nominations across the streets, two
  committee reviewers each, 33 approved as candidates of a public poll (voting app) with a
  realistic turnout over ten days (ballots written in bulk through the voting app's models, the
  live counters set to the ballots' counts), the weighted ranking, the proposed list on notice for
  5 working days with one objection answered, and 30 announced pioneers — among them the police
  officer of 高塘社区 who cared for orphans for 15 years, whose deeds several branches studied in
  "listen, see, evaluate, speak" learning activities.
- This year's selection, open: 12 candidates and a poll open now (a few hundred ballots so far) to
  try the vote on the portal.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import random
from collections import Counter
from decimal import ROUND_HALF_UP, Decimal

from django.db import connection
from django.utils import timezone

from gangwan.activities.models import Activity, ActivityKind
from gangwan.core.audit import audit_record, snapshot
from gangwan.members.models import Member, MemberStatus
from gangwan.pioneers import services
from gangwan.pioneers.models import (
    Nomination,
    NominationState,
    Objection,
    Phase,
    Pioneer,
    PioneerLearning,
    Review,
    Selection,
)
from gangwan.regions.models import Region

OFFICER_HEADLINE = "十五年如一日照顾辖区孤儿的社区民警"
OFFICER_DEEDS = (
    "他是新碶派出所高塘社区的社区民警。2013年前的十五年里，他先后照顾辖区内7名孤儿和事实孤儿："
    "帮他们落户、申请低保、联系学校，节假日接到家中同住，逢年过节送去新衣和学习用品。"
    "其中3人已考上大学，2人参军入伍。他的事迹在区论坛上引发热议，被居民称为“孩子们的警察爸爸”。"
)
HEADLINES = [
    "企业顾问团骨干，一年走访企业80余家",
    "“星期六雇员”志愿者，周末为企业义务服务",
    "向日葵工程带头人，结对帮扶外来务工子女",
    "一员双岗，岗位标兵、社区热心人",
    "流动党员服务站的“老娘舅”，调解纠纷百余起",
    "退休不褪色，义务巡逻十二年",
    "带领突击队入户宣传，助力村庄整治",
    "组织老年门球队，丰富社区生活",
    "牵头疏浚河道，协调企业解决淤泥堆放",
    "为社区幼儿园建设奔走呼吁",
    "技术骨干，带徒传艺培养青年工人",
    "义务献血二十年，累计献血上万毫升",
]
DEEDS = (
    "{name}同志{headline}。他（她）始终坚持把群众的事当成自己的事，在本职岗位上争创一流，"
    "在社区服务中主动作为，多次获得单位和街道表彰，在群众中有良好口碑。"
)
OPINIONS = ["经支部委员会研究，一致同意推荐。", "支部党员大会讨论通过，同意推荐。"]
REASONS_APPROVE = ["事迹突出，群众公认。", "服务成效明显，同意。", "先锋模范作用突出。"]
REASONS_REJECT = ["事迹代表性不够强。", "服务成效材料不足。"]


def _at(day: dt.date, hour: int = 9, minute: int = 0) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time(hour, minute)))


def load(plan, users) -> None:
    district = Region.objects.filter(path=plan.named["district"].path).first()
    if district is None:
        return
    rng = random.Random(f"{plan.seed}:pioneers")
    admin = users.get("district_admin")
    reviewers = [u for u in (users.get("reviewer"), admin) if u is not None]
    # Ids first: loading every member would decrypt every ID number and phone.
    full = Member.objects.filter(
        status=MemberStatus.FULL, archived_on__isnull=True, is_floating=False
    )
    ids = list(full.order_by("pk").values_list("pk", flat=True))
    if len(ids) < 60 or not reviewers:
        return
    officer_id = _officer_id(plan, full) or ids[0]
    rest_ids = rng.sample([i for i in ids if i != officer_id], 47)
    members = Member.objects.select_related("organization", "organization__region").in_bulk(
        [officer_id, *rest_ids]
    )
    officer = members[officer_id]
    rest = [members[i] for i in rest_ids]
    finished = _finished(plan, district, admin, reviewers, [officer, *rest[:35]], rng)
    _learning(finished, officer, rng)
    _open(plan, district, admin, reviewers, rest[35:47], rng)


def _officer_id(plan, full) -> int | None:
    """The police officer is a member of 高塘社区's own organization."""
    gaotang = plan.named.get("高塘社区")
    if gaotang is None or gaotang.own is None:
        return None
    return (
        full.filter(organization__path__startswith=gaotang.own.path)
        .order_by("pk")
        .values_list("pk", flat=True)
        .first()
    )


def _nominations(selection, members, reviewers, rng, officer_first: bool, created: dt.datetime):
    noms = []
    for i, m in enumerate(members):
        headline = OFFICER_HEADLINE if officer_first and i == 0 else rng.choice(HEADLINES)
        noms.append(
            Nomination(
                selection=selection,
                organization=m.organization,
                nominee=m,
                headline=headline,
                deeds=OFFICER_DEEDS
                if officer_first and i == 0
                else DEEDS.format(name=m.name, headline=headline),
                opinion=rng.choice(OPINIONS),
            )
        )
    Nomination.objects.bulk_create(noms)
    Nomination.objects.filter(selection=selection).update(created_at=created)
    reviews = []
    for i, n in enumerate(noms):
        strong = officer_first and i == 0
        reject = not strong and rng.random() < 0.09
        for r in reviewers:
            score = 98 if strong else (rng.randint(45, 65) if reject else rng.randint(70, 95))
            reviews.append(
                Review(
                    nomination=n,
                    reviewer=r,
                    decision="reject" if reject else "approve",
                    score=score,
                    reason=rng.choice(REASONS_REJECT if reject else REASONS_APPROVE),
                )
            )
    Review.objects.bulk_create(reviews)
    by_nom: dict[int, list[Review]] = {}
    for r in reviews:
        by_nom.setdefault(r.nomination_id, []).append(r)
    approved = []
    for n in noms:
        rs = by_nom[n.pk]
        yes = sum(1 for r in rs if r.decision == "approve")
        n.state = NominationState.APPROVED if yes * 2 > len(rs) else NominationState.REJECTED
        n.committee_score = (Decimal(sum(r.score for r in rs)) / len(rs)).quantize(
            Decimal("0.01"), ROUND_HALF_UP
        )
        n.decision_note = f"{yes}/{len(rs)}"
        if n.state == NominationState.APPROVED:
            approved.append(n)
    Nomination.objects.bulk_update(noms, ["state", "committee_score", "decision_note"])
    return noms, approved


def _poll(selection, approved, admin):
    from gangwan.pioneers import polls

    link = polls.poll_for_selection(selection=selection, nominations=approved, actor=admin)
    for n in approved:
        n.candidate_id = link.candidates[n.pk]
    Nomination.objects.bulk_update(approved, ["candidate_id"])
    selection.poll_id = link.poll_id
    selection.save(update_fields=["poll_id"])
    return link


def _ballots(link, approved, start: dt.datetime, end: dt.datetime, n: int, rng, k: int, favourite):
    """`n` ballots between start and end (busier in the first days and evenings), each choosing
    1..k candidates by popularity; the voting app's live counters set to the ballots' counts."""
    from gangwan.voting.models import Ballot, BallotChoice, Tally

    popularity = {c: rng.uniform(0.3, 1.0) for c in link.candidates.values()}
    if favourite is not None:
        popularity[link.candidates[favourite]] = 1.6
    cands, weights = list(popularity), list(popularity.values())
    seconds = max(1, int((end - start).total_seconds()) - 60)
    ballots, chosen = [], []
    for i in range(n):
        # More ballots early (the launch) and again near the close.
        u = rng.random()
        frac = u * u if rng.random() < 0.7 else 1 - (u * u) * 0.3
        when = start + dt.timedelta(seconds=int(frac * seconds))
        size = min(len(cands), max(1, int(rng.triangular(1, k, 2))))
        picks: set[int] = set()
        while len(picks) < size:
            picks.add(rng.choices(cands, weights)[0])
        ids = sorted(picks)
        ballots.append(
            Ballot(
                poll_id=link.poll_id,
                voter_key=hashlib.sha256(f"demo-voter:{link.poll_id}:{i}".encode()).hexdigest(),
                cast_at=when,
                network=f"10.{rng.randint(0, 40)}.{rng.randint(0, 255)}.0/24",
                choices_key=",".join(map(str, ids)),
            )
        )
        chosen.append(ids)
    Ballot.objects.bulk_create(ballots, batch_size=2000)
    # Tens of thousands of choice rows: one executemany, not model instances.
    table = connection.ops.quote_name(BallotChoice._meta.db_table)
    with connection.cursor() as cur:
        cur.executemany(
            f"INSERT INTO {table} (ballot_id, candidate_id) VALUES (%s, %s)",
            [(b.pk, c) for b, ids in zip(ballots, chosen, strict=True) for c in ids],
        )
    counts = Counter(c for ids in chosen for c in ids)
    Tally.objects.filter(poll_id=link.poll_id, shard=0, candidate__isnull=True).update(votes=n)
    for cid, v in counts.items():
        Tally.objects.filter(poll_id=link.poll_id, shard=0, candidate_id=cid).update(votes=v)
    return {nid: counts.get(cid, 0) for nid, cid in link.candidates.items()}


def _finished(plan, district, admin, reviewers, members, rng) -> Selection:
    year = 2013
    s = Selection.objects.create(
        title=f"{year}年度区域党员服务先锋评选",
        description="基层推荐、党委审议、社会公众投票，评选30名区域服务先锋，树立和谐标杆。",
        region=district,
        quota=30,
        phase=Phase.DRAFT,
        nominations_close_on=dt.date(year, 4, 20),
        review_close_on=dt.date(year, 5, 8),
        vote_opens_at=_at(dt.date(year, 5, 15), 8),
        vote_closes_at=_at(dt.date(year, 5, 25), 20),
        vote_weight=Decimal("0.40"),
        committee_weight=Decimal("0.60"),
        notice_working_days=5,
        created_by=admin,
    )
    noms, approved = _nominations(
        s, members, reviewers, rng, officer_first=True, created=_at(dt.date(year, 4, 10))
    )
    link = _poll(s, approved, admin)
    turnout = max(400, int(6000 * min(plan.scale, 1.0)))
    votes = _ballots(
        link,
        approved,
        s.vote_opens_at,
        s.vote_closes_at,
        turnout,
        rng,
        k=10,
        favourite=noms[0].pk,
    )
    ranked = services.ranking_compute(
        rows=[(n.pk, votes.get(n.pk, 0), n.committee_score) for n in approved],
        vote_weight=s.vote_weight,
        committee_weight=s.committee_weight,
    )
    by_id = {n.pk: n for n in approved}
    for r in ranked:
        n = by_id[r.nomination_id]
        n.votes, n.combined_score, n.rank, n.proposed = r.votes, r.combined, r.rank, r.rank <= 30
    Nomination.objects.bulk_update(approved, ["votes", "combined_score", "rank", "proposed"])
    notice_start = dt.date(year, 5, 27)
    s.notice_starts_on = notice_start
    s.notice_ends_on = services.add_working_days(notice_start, 5)
    announced = services.add_working_days(s.notice_ends_on + dt.timedelta(days=1), 1)
    proposed = sorted((n for n in approved if n.proposed), key=lambda n: n.rank)
    Objection.objects.create(
        selection=s,
        nomination=proposed[min(5, len(proposed) - 1)],
        text="该同志去年曾因工作失误被通报，是否符合评选条件？",
        phone="13800000000",
        verified_at=_at(notice_start + dt.timedelta(days=1), 19),
        answer="经区委组织部核实，该通报系单位内部工作提醒，不属于处分，不影响评选资格。",
        answered_at=_at(notice_start + dt.timedelta(days=3), 10),
        answered_by=admin,
    )
    Pioneer.objects.bulk_create(
        [
            Pioneer(
                selection=s, nomination=n, member=n.nominee, rank=n.rank, announced_on=announced
            )
            for n in proposed
        ]
    )
    s.phase = Phase.ANNOUNCED
    s.announced_on = announced
    s.save()
    audit_record(actor=admin, action="pioneers.selection.demo", obj=s, after=snapshot(s))
    return s


def _learning(s: Selection, officer, rng) -> None:
    pioneer = Pioneer.objects.filter(selection=s, member=officer).first()
    if pioneer is None:
        return
    orgs = [officer.organization]
    others = list(
        Pioneer.objects.filter(selection=s)
        .exclude(pk=pioneer.pk)
        .select_related("nomination__organization")[:3]
    )
    orgs += [p.nomination.organization for p in others]
    acts = []
    for i, org in enumerate(orgs):
        acts.append(
            Activity(
                organization=org,
                kind=ActivityKind.EXEMPLAR_LEARNING,
                held_on=s.announced_on + dt.timedelta(days=14 + 7 * i),
                place="党员活动室",
                topic=f"听看评讲：学习区域服务先锋{pioneer.member.name}同志事迹",
                minutes="听先进事迹报告，看事迹短片，评身边差距，讲学习体会。",
            )
        )
    Activity.objects.bulk_create(acts)
    PioneerLearning.objects.bulk_create(
        [PioneerLearning(pioneer=pioneer, activity=a) for a in acts]
    )


def _open(plan, district, admin, reviewers, members, rng) -> None:
    if len(members) < 6:
        return
    year = plan.today.year
    now = _at(plan.today, 9)
    s = Selection.objects.create(
        title=f"{year}年度区域党员服务先锋评选",
        description="投票进行中：每个手机号验证后可投一次票，每票最多选10人。",
        region=district,
        quota=10,
        phase=Phase.DRAFT,
        nominations_close_on=plan.today - dt.timedelta(days=20),
        review_close_on=plan.today - dt.timedelta(days=5),
        vote_opens_at=now - dt.timedelta(days=2),
        vote_closes_at=now + dt.timedelta(days=12),
        vote_weight=Decimal("0.40"),
        committee_weight=Decimal("0.60"),
        notice_working_days=5,
        created_by=admin,
    )
    _noms, approved = _nominations(
        s, members, reviewers, rng, officer_first=False, created=now - dt.timedelta(days=30)
    )
    link = _poll(s, approved, admin)
    # Ballots so far: from the opening until an hour ago.
    _ballots(
        link,
        approved,
        s.vote_opens_at,
        min(timezone.now(), now) - dt.timedelta(hours=1),
        max(60, int(600 * min(plan.scale, 1.0))),
        rng,
        k=5,
        favourite=None,
    )
    s.phase = Phase.VOTING
    s.save(update_fields=["phase"])
    audit_record(actor=admin, action="pioneers.selection.demo", obj=s, after=snapshot(s))
