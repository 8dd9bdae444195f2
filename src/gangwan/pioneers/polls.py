"""The public vote of a selection, through the voting app's services and selectors only (voting
knows nothing of pioneers: the poll carries owner_ref "pioneers.selection:<id>" and each candidate
ref "pioneers.nomination:<id>")."""

from __future__ import annotations

from dataclasses import dataclass

from django.urls import NoReverseMatch, reverse

NOMINATION_REF = "pioneers.nomination:"


@dataclass
class PollLink:
    poll_id: int
    candidates: dict[int, int]  # nomination id → candidate id


def poll_for_selection(*, selection, nominations, actor) -> PollLink:
    """Create the selection's poll with the approved nominees as candidates (voters choose up to
    the quota, once per poll; results after the close)."""
    from gangwan.voting import services as voting

    poll = voting.poll_create(
        title=selection.title,
        description=selection.description,
        opens_at=selection.vote_opens_at,
        closes_at=selection.vote_closes_at,
        max_choices=max(1, min(selection.quota, len(nominations))),
        per_day=False,
        results_visibility="after_close",
        captcha=False,
        owner_ref=selection.owner_ref,
        actor=actor,
        region=selection.region,
    )
    out = {}
    for n in nominations:
        photo = n.photos.first()
        c = voting.candidate_add(
            poll=poll,
            name=n.nominee.name,
            text=n.headline or n.deeds[:300],
            photo=photo.file.name if photo else None,
            ref=f"{NOMINATION_REF}{n.pk}",
            actor=actor,
        )
        out[n.pk] = c.pk
    return PollLink(poll_id=poll.pk, candidates=out)


def poll_of(selection):
    if not selection.poll_id:
        return None
    from gangwan.voting.models import Poll

    return Poll.objects.filter(pk=selection.poll_id).first()


def votes_by_nomination(*, selection) -> dict[int, int]:
    """Valid votes per nomination from the poll's counts (invalidated ballots excluded)."""
    poll = poll_of(selection)
    if poll is None:
        return {}
    from gangwan.voting.selectors import poll_results

    out = {}
    for row in poll_results(poll=poll):
        ref = row["candidate"].ref
        if ref.startswith(NOMINATION_REF):
            out[int(ref[len(NOMINATION_REF) :])] = row["votes"]
    return out


def final_votes(*, selection, actor) -> dict[int, int]:
    """Valid votes per nomination counted from the ballots themselves: the poll is recounted
    (audited; the live counters are rewritten if they drifted) and its recount is used."""
    poll = poll_of(selection)
    if poll is None:
        return {}
    from gangwan.voting.services import poll_recount

    recount = poll_recount(poll=poll, actor=actor)["recount"]["votes"]
    out = {}
    for cid, ref in poll.candidates.values_list("id", "ref"):
        if ref.startswith(NOMINATION_REF):
            out[int(ref[len(NOMINATION_REF) :])] = recount.get(cid, 0)
    return out


def summary(*, selection) -> dict | None:
    poll = poll_of(selection)
    if poll is None:
        return None
    from gangwan.voting.selectors import poll_summary

    return {"poll": poll, **poll_summary(poll=poll), "results_visible": poll.results_visible()}


def turnout_by_day(*, selection) -> list[tuple]:
    poll = poll_of(selection)
    if poll is None:
        return []
    from gangwan.voting.selectors import turnout_by_day as by_day

    return by_day(poll=poll)


def public_url(poll_id: int | None) -> str:
    """The voting app's public page of the poll (where people verify and vote)."""
    if not poll_id:
        return ""
    for name in ("voting_public:poll", "voting_public:detail", "voting_public:vote"):
        try:
            return reverse(name, args=[poll_id])
        except NoReverseMatch:
            continue
    return f"/portal/polls/{poll_id}/"
