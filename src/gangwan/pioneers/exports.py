"""Spreadsheets of a selection: nominations (cut like the list), review scores and results (for
the selection's administrators and reviewers only)."""

from django.contrib.auth.decorators import login_required
from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from gangwan.core.exports import xlsx_response
from gangwan.core.permissions import require

from . import selectors


@login_required
def nominations_xlsx(request, pk):
    scope, user = request.scope, request.user
    s = selectors.selection_get(scope=scope, user=user, pk=pk)
    rows = (
        [
            n.nominee.name,
            n.organization.name,
            n.organization.region.name,
            n.headline,
            n.deeds,
            n.opinion,
            n.get_state_display(),
            n.n_reviews,
            n.created_at,
        ]
        for n in selectors.nomination_list(scope=scope, user=user, selection=s)
    )
    return xlsx_response(
        filename=f"nominations-{s.pk}.xlsx",
        sheet=_("Nominations"),
        headers=[
            _("Nominee"),
            _("Nominating organization"),
            _("Area"),
            _("Headline"),
            _("Deeds"),
            _("Opinion of the nominating organization"),
            _("State"),
            _("Reviews"),
            _("Submitted"),
        ],
        rows=rows,
        widths=[12, 30, 14, 30, 60, 40, 10, 8, 18],
    )


def _all_nominations(request, pk):
    scope, user = request.scope, request.user
    s = selectors.selection_get(scope=scope, user=user, pk=pk)
    require(selectors.sees_all_nominations(scope, user, s))
    return s


@login_required
def reviews_xlsx(request, pk):
    s = _all_nominations(request, pk)
    rows = (
        [
            r.nomination.nominee.name,
            r.nomination.organization.name,
            str(r.reviewer),
            r.get_decision_display(),
            r.score,
            r.reason,
            r.created_at,
        ]
        for r in selectors.reviews_of(selection=s)
    )
    return xlsx_response(
        filename=f"review-scores-{s.pk}.xlsx",
        sheet=_("Review scores"),
        headers=[
            _("Nominee"),
            _("Nominating organization"),
            _("Reviewer"),
            _("Decision"),
            _("Score"),
            _("Reason"),
            _("Time"),
        ],
        rows=rows,
        widths=[12, 30, 14, 8, 8, 40, 18],
    )


@login_required
def results_xlsx(request, pk):
    s = _all_nominations(request, pk)
    rows = (
        [
            n.rank,
            n.nominee.name,
            n.organization.name,
            n.votes,
            n.committee_score,
            n.combined_score,
            _("yes") if n.proposed else "",
        ]
        for n in selectors.ranking(selection=s)
    )
    return xlsx_response(
        filename=f"results-{s.pk}.xlsx",
        sheet=_("Results"),
        headers=[
            _("Rank"),
            _("Candidate"),
            _("Nominating organization"),
            _("Votes"),
            _("Committee score"),
            _("Combined score"),
            pgettext("pioneers", "Proposed"),
        ],
        rows=rows,
        widths=[6, 12, 30, 8, 10, 10, 8],
    )
