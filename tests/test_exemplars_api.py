"""Exemplars in the API (/api/v1/exemplars): lists cut to scope, assessments for reviewers only
when assigned, sheets hidden until one's own is submitted, refusals as 422."""

import json

import pytest
from django.test import Client

from gangwan.core.tokens import api_token_create
from gangwan.exemplars import services
from gangwan.exemplars.models import AssessmentState, StarAssessment
from tests import factories as f
from tests.test_exemplars_views import World


class Api:
    def __init__(self, user=None):
        self.client = Client()
        self.headers = {"Accept-Language": "en"}
        if user is not None:
            raw = api_token_create(actor=user, user=user, name="手机")[1]
            self.headers["Authorization"] = f"Bearer {raw}"

    def get(self, path, params=None):
        return self.client.get(f"/api/v1/exemplars{path}", params or {}, headers=self.headers)

    def post(self, path, data):
        return self.client.post(
            f"/api/v1/exemplars{path}",
            json.dumps(data, default=str),
            content_type="application/json",
            headers=self.headers,
        )


@pytest.fixture
def w(district):
    return World(district)


def _ids(resp):
    assert resp.status_code == 200, resp.content
    return {row["id"] for row in resp.json()["items"]}


def test_lists_are_cut_to_scope(w):
    assert _ids(Api(w.admin).get("/bases")) == {w.gaotang.pk}
    assert _ids(Api(w.xinqi_admin).get("/bases")) == {w.gaotang.pk}
    assert _ids(Api(w.xiaogang_admin).get("/bases")) == set()
    assert _ids(Api(w.admin).get("/batches")) == {w.batch.pk}
    assert _ids(Api(w.qingzhi_secretary).get("/batches")) == {w.batch.pk}
    assert _ids(Api(w.admin).get("/assessments")) == {w.a.pk}
    assert _ids(Api(w.xiaogang_admin).get("/assessments")) == set()
    assert _ids(Api(w.r1).get("/assessments")) == set()  # not assigned yet
    assert Api(w.xiaogang_admin).get(f"/bases/{w.gaotang.pk}").status_code == 404
    assert Api(w.xiaogang_admin).get(f"/assessments/{w.a.pk}").status_code == 404
    assert Api(w.admin).get(f"/bases/{w.gaotang.pk}").json()["organization"] == "高塘社区党委"


def test_members_reviewers_and_anonymous(w):
    assert Api(w.member).get("/assessments").status_code == 403
    assert Api(w.member).get("/bases").status_code == 403
    assert Api(w.r1).get("/bases").status_code == 403
    assert Api(w.r1).get("/batches").status_code == 403
    assert Api().get("/assessments").status_code == 401


def test_self_assessment_and_blind_scoring_through_the_api(w):
    c = w.criteria()[0]
    body = {
        "entries": [{"criterion_id": c.pk, "points": 14, "statement": "班子健全"}],
        "submit": True,
    }
    assert (
        Api(w.qingzhi_secretary).post(f"/assessments/{w.a.pk}/self-assessment", body).status_code
        == 404
    )
    assert (
        Api(w.xinqi_admin).post(f"/assessments/{w.a.pk}/self-assessment", body).status_code == 403
    )
    r = Api(w.gaotang_secretary).post(f"/assessments/{w.a.pk}/self-assessment", body)
    assert r.status_code == 200 and r.json()["state"] == AssessmentState.REVIEWING
    services.reviewers_assign(actor=w.admin, assessment=w.a, reviewers=[w.r1, w.r2])
    sheet = {"points": w.sheet(88), "vetoes": []}
    assert Api(w.r3).post(f"/assessments/{w.a.pk}/review", sheet).status_code == 404
    r = Api(w.r1).post(f"/assessments/{w.a.pk}/review", sheet)
    assert r.status_code == 200 and r.json()["sheets"][0]["total"] == "93.00"
    hidden = Api(w.r2).get(f"/assessments/{w.a.pk}").json()
    assert hidden["scores_hidden"] is True and hidden["sheets"] is None
    again = Api(w.r1).post(f"/assessments/{w.a.pk}/review", sheet)
    assert again.status_code == 422
    too_many = {"points": {str(c.pk): 99}, "vetoes": []}
    assert Api(w.r2).post(f"/assessments/{w.a.pk}/review", too_many).status_code == 422
    assert (
        StarAssessment.objects.get(pk=w.a.pk).reviews.filter(submitted_at__isnull=False).count()
        == 1
    )


def test_the_list_does_not_query_per_row(w, django_assert_max_num_queries):
    for i in range(6):
        o = f.organization(f"支部{i}", "branch", w.d.gaotang, w.d.gaotang_committee)
        services.assessment_open(actor=w.admin, base=w.base(o), year=2013)
    api = Api(w.admin)
    with django_assert_max_num_queries(8):
        assert len(api.get("/assessments").json()["items"]) == 7
    with django_assert_max_num_queries(8):
        assert len(api.get("/bases").json()["items"]) == 7
