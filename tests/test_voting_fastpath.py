"""The WSGI fast path of the cast endpoint answers exactly as the API does, and leaves every other
request to Django."""

import datetime as dt
import io
import json

import pytest
from django.core import signals
from django.core.cache import cache
from django.db import close_old_connections
from django.utils import timezone

from gangwan.voting import services, verification
from gangwan.voting.fastpath import wrap
from gangwan.voting.models import Ballot


@pytest.fixture(autouse=True)
def _clean(db):
    # As Django's test client does: the request signals must not close the test's connection.
    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)
    cache.clear()
    yield
    cache.clear()
    signals.request_started.connect(close_old_connections)
    signals.request_finished.connect(close_old_connections)


@pytest.fixture
def poll(db):
    now = timezone.now()
    poll = services.poll_create(
        title="快速通道",
        opens_at=now - dt.timedelta(hours=1),
        closes_at=now + dt.timedelta(days=1),
        max_choices=1,
        actor=None,
    )
    services.candidate_add(poll=poll, name="甲", actor=None)
    services.candidate_add(poll=poll, name="乙", actor=None)
    return poll


def _call(app, path, body=None, method="POST", host="testserver", lang="en", scheme="http"):
    raw = json.dumps(body).encode() if body is not None else b""
    environ = {
        "REQUEST_METHOD": method,
        "PATH_INFO": path,
        "SERVER_NAME": "testserver",
        "SERVER_PORT": "80",
        "HTTP_HOST": host,
        "HTTP_ACCEPT_LANGUAGE": lang,
        "wsgi.input": io.BytesIO(raw),
        "wsgi.url_scheme": scheme,
        "CONTENT_LENGTH": str(len(raw)),
        "CONTENT_TYPE": "application/json",
        "REMOTE_ADDR": "203.0.113.9",
    }
    seen = {}

    def start_response(status, headers):
        seen["status"] = int(status.split()[0])
        seen["headers"] = dict(headers)

    data = b"".join(app(environ, start_response))
    return seen["status"], seen["headers"], data


def _inner(environ, start_response):
    start_response("204 No Content", [])
    return [b""]


def test_fast_path_casts_and_refuses_like_the_api(poll):
    app = wrap(_inner)
    a, b = poll.candidates.all()
    path = f"/api/v1/voting/polls/{poll.pk}/ballots"
    token = verification.voter_token(poll=poll, voter_key="fast-voter")
    status, headers, data = _call(app, path, {"token": token, "choices": [a.pk]})
    assert status == 200, data
    assert headers["X-Content-Type-Options"] == "nosniff"
    body = json.loads(data)
    assert body["choices"] == [a.pk] and Ballot.objects.filter(pk=body["ballot"]).exists()
    assert _call(app, path, {"token": token, "choices": [b.pk]})[0] == 409
    assert _call(app, path, {"token": "forged", "choices": [a.pk]})[0] == 403
    other = verification.voter_token(poll=poll, voter_key="other")
    assert _call(app, path, {"token": other, "choices": [a.pk, b.pk]})[0] == 422
    assert _call(app, path, {"token": other, "choices": ["x"]})[0] == 422
    assert _call(app, path, {"token": other})[0] == 422
    assert (
        _call(
            app,
            f"/api/v1/voting/polls/{poll.pk + 999}/ballots",
            {"token": other, "choices": [a.pk]},
        )[0]
        == 404
    )
    assert _call(app, path, {"token": other, "choices": [a.pk]}, host="evil.example")[0] == 400
    # Chinese messages for a Chinese client.
    status, _h, data = _call(app, path, {"token": token, "choices": [a.pk]}, lang="zh-hans")
    assert status == 409 and "已" in json.loads(data)["detail"][0]
    assert Ballot.objects.count() == 1


def test_fast_path_closed_poll_and_rate_limit(poll, settings):
    app = wrap(_inner)
    a = poll.candidates.first()
    path = f"/api/v1/voting/polls/{poll.pk}/ballots"
    settings.GANGWAN_RULE_DEFAULTS = {
        **settings.GANGWAN_RULE_DEFAULTS,
        "voting.cast_per_ip_per_minute": 1,
    }
    t1 = verification.voter_token(poll=poll, voter_key="v1")
    t2 = verification.voter_token(poll=poll, voter_key="v2")
    assert _call(app, path, {"token": t1, "choices": [a.pk]})[0] == 200
    assert _call(app, path, {"token": t2, "choices": [a.pk]})[0] == 429
    cache.clear()
    # The poll closes (time passes): the kept copy of the poll still says open; the database refuses.
    type(poll).objects.filter(pk=poll.pk).update(closes_at=timezone.now() - dt.timedelta(seconds=1))
    assert _call(app, path, {"token": t2, "choices": [a.pk]})[0] == 422
    assert Ballot.objects.count() == 1


def test_other_requests_go_to_django(poll):
    app = wrap(_inner)
    assert _call(app, f"/api/v1/voting/polls/{poll.pk}/ballots", method="GET")[0] == 204
    assert _call(app, "/api/v1/voting/polls", {"x": 1})[0] == 204


def test_an_error_in_the_fast_path_is_logged_and_signalled_like_django(poll, monkeypatch, caplog):
    import gangwan.voting.api as api

    def boom(**kw):
        raise RuntimeError("database went away")

    monkeypatch.setattr(api, "cast", boom)
    seen = []

    def receiver(sender, request=None, **kw):
        seen.append(request)

    signals.got_request_exception.connect(receiver)
    try:
        with caplog.at_level("ERROR", logger="django.request"):
            status, headers, data = _call(
                wrap(_inner),
                f"/api/v1/voting/polls/{poll.pk}/ballots",
                {"token": "t", "choices": [1]},
            )
    finally:
        signals.got_request_exception.disconnect(receiver)
    assert status == 500 and json.loads(data)["detail"]
    assert headers["Content-Type"].startswith("application/json")
    assert len(seen) == 1 and seen[0] is not None
    record = next(r for r in caplog.records if r.name == "django.request")
    assert record.levelname == "ERROR" and record.exc_info[0] is RuntimeError


def test_a_path_with_a_trailing_newline_is_not_the_fast_path(poll):
    app = wrap(_inner)
    assert _call(app, f"/api/v1/voting/polls/{poll.pk}/ballots\n", {"x": 1})[0] == 204


def test_hsts_only_on_secure_requests(poll, settings):
    settings.SECURE_HSTS_SECONDS = 3600
    app = wrap(_inner)
    path = f"/api/v1/voting/polls/{poll.pk}/ballots"
    _s, headers, _d = _call(app, path, {"token": "x", "choices": [1]})
    assert "Strict-Transport-Security" not in headers
    _s, headers, _d = _call(app, path, {"token": "x", "choices": [1]}, scheme="https")
    assert headers["Strict-Transport-Security"] == "max-age=3600"


def _raw_call(app, path, raw: bytes, host="testserver"):
    environ = {
        "REQUEST_METHOD": "POST",
        "PATH_INFO": path,
        "SERVER_NAME": "testserver",
        "SERVER_PORT": "80",
        "HTTP_HOST": host,
        "wsgi.input": io.BytesIO(raw),
        "wsgi.url_scheme": "http",
        "CONTENT_LENGTH": str(len(raw)),
        "CONTENT_TYPE": "application/json",
        "REMOTE_ADDR": "203.0.113.9",
    }
    seen = {}

    def start_response(status, headers):
        seen["status"] = int(status.split()[0])

    data = b"".join(app(environ, start_response))
    return seen["status"], json.loads(data)


def test_malformed_and_oversized_bodies_are_refused_not_errors(poll, caplog):
    app = wrap(_inner)
    path = f"/api/v1/voting/polls/{poll.pk}/ballots"
    with caplog.at_level("ERROR", logger="django.request"):
        assert _raw_call(app, path, b"[" * 8000)[0] == 422  # nested past the parser's depth
        assert _raw_call(app, path, b"{not json")[0] == 422
        assert _raw_call(app, path, b'{"token": "t", "choices": [1.5]}')[0] == 422
        assert _raw_call(app, path, b" " * 9000)[0] == 413
    assert not [r for r in caplog.records if r.name == "django.request"]


def test_a_choice_beyond_any_id_is_refused(poll):
    app = wrap(_inner)
    token = verification.voter_token(poll=poll, voter_key="big-id")
    path = f"/api/v1/voting/polls/{poll.pk}/ballots"
    for choice in (2**63, 2**70, 0, -1):
        status, body = _raw_call(
            app, path, json.dumps({"token": token, "choices": [choice]}).encode()
        )
        assert status == 422, body
    assert Ballot.objects.count() == 0


def test_a_foreign_host_is_logged_as_django_logs_it(poll, caplog):
    with caplog.at_level("ERROR", logger="django.security.DisallowedHost"):
        status, _body = _raw_call(
            wrap(_inner), f"/api/v1/voting/polls/{poll.pk}/ballots", b"{}", host="evil.example"
        )
    assert status == 400
    assert any(
        r.name == "django.security.DisallowedHost" and "evil.example" in r.getMessage()
        for r in caplog.records
    )
