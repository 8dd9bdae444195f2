"""A WSGI fast path for the busiest public endpoint, `POST /api/v1/voting/polls/<id>/ballots`.

The endpoint is the same (same function, `api.cast`: same checks, refusals and answers); only
Django's middleware chain, URL resolution and the API framework are skipped, which is most of the
CPU a ballot costs. What those would have done for this request is done here: the Host header is
validated against ALLOWED_HOSTS, the language comes from Accept-Language, database connections
open and close with the request signals, and the security headers are set. There is no session,
cookie or CSRF involved: the voter token in the body is the credential.

Use it by wrapping the WSGI application:

    from gangwan.voting.fastpath import wrap
    application = wrap(get_wsgi_application())

(`gangwan.voting.fastpath:application` is that, for granian.)"""

from __future__ import annotations

import json
import logging
import re
import sys

from django.conf import settings
from django.core import signals
from django.core.exceptions import DisallowedHost
from django.core.handlers.wsgi import WSGIRequest
from django.core.serializers.json import DjangoJSONEncoder
from django.utils import translation

PATH = re.compile(r"\A/api/v1/voting/polls/(\d{1,18})/ballots/?\Z")
MAX_BODY = 8192
HEADERS = [
    ("Content-Type", "application/json; charset=utf-8"),
    ("X-Content-Type-Options", "nosniff"),
    ("Referrer-Policy", "same-origin"),
    ("Cross-Origin-Opener-Policy", "same-origin"),
    ("X-Frame-Options", "DENY"),
    ("Vary", "Accept-Language"),
    ("Cache-Control", "no-store"),
]
REASONS = {
    200: "OK",
    400: "Bad Request",
    403: "Forbidden",
    404: "Not Found",
    409: "Conflict",
    413: "Payload Too Large",
    422: "Unprocessable Entity",
    429: "Too Many Requests",
    500: "Internal Server Error",
}
logger = logging.getLogger("django.request")


def _hsts() -> str:
    """The Strict-Transport-Security value SecurityMiddleware would send."""
    value = f"max-age={settings.SECURE_HSTS_SECONDS}"
    if getattr(settings, "SECURE_HSTS_INCLUDE_SUBDOMAINS", False):
        value += "; includeSubDomains"
    if getattr(settings, "SECURE_HSTS_PRELOAD", False):
        value += "; preload"
    return value


def _respond(start_response, status: int, body: dict, secure: bool = False) -> list[bytes]:
    data = json.dumps(body, cls=DjangoJSONEncoder, ensure_ascii=False).encode()
    headers = [*HEADERS, ("Content-Length", str(len(data)))]
    # As SecurityMiddleware: HSTS only on a secure request (https, or the trusted proxy's header).
    if secure and getattr(settings, "SECURE_HSTS_SECONDS", 0):
        headers.append(("Strict-Transport-Security", _hsts()))
    start_response(f"{status} {REASONS.get(status, '')}", headers)
    return [data]


def _payload(request) -> tuple[str, list[int]] | None:
    try:
        length = int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        return None
    if length <= 0 or length > MAX_BODY:
        return None
    try:
        data = json.loads(request.read(length))
    except ValueError:
        return None
    if not isinstance(data, dict):
        return None
    token, choices = data.get("token"), data.get("choices")
    if not isinstance(token, str) or len(token) > 500 or not isinstance(choices, list):
        return None
    if len(choices) > 100 or not all(type(c) is int for c in choices):
        return None
    return token, choices


def cast_view(environ, start_response, poll_id: int) -> list[bytes]:
    from gangwan.core.throttle import client_ip

    from .api import cast

    signals.request_started.send(sender=None, environ=environ)
    request = None
    try:
        request = WSGIRequest(environ)
        try:
            request.get_host()
        except DisallowedHost:
            return _respond(start_response, 400, {"detail": ["Bad Request"]})
        secure = request.is_secure()
        language = translation.get_language_from_request(request)
        with translation.override(language):
            payload = _payload(request)
            if payload is None:
                return _respond(
                    start_response,
                    422,
                    {"detail": ["body: token (string) and choices (ints)"]},
                    secure,
                )
            status, body = cast(
                poll_id=poll_id, token=payload[0], choices=payload[1], ip=client_ip(request)
            )
            return _respond(start_response, status, body, secure)
    except Exception:
        # What Django's handler does with an unhandled exception: signal it (error reporting,
        # tests), log it to django.request (admins' mail, the server log) and answer 500.
        signals.got_request_exception.send(sender=None, request=request)
        logger.error(
            "Internal Server Error: %s",
            environ.get("PATH_INFO", ""),
            exc_info=sys.exc_info(),
            extra={"status_code": 500, "request": request},
        )
        return _respond(start_response, 500, {"detail": ["Internal Server Error"]})
    finally:
        signals.request_finished.send(sender=None)


def wrap(app):
    def application(environ, start_response):
        if environ.get("REQUEST_METHOD") == "POST":
            m = PATH.match(environ.get("PATH_INFO", ""))
            if m:
                return cast_view(environ, start_response, int(m.group(1)))
        return app(environ, start_response)

    return application


def _default():
    import os

    from django.core.wsgi import get_wsgi_application

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "gangwan.settings")
    return wrap(get_wsgi_application())


def __getattr__(name):  # `application` is built on first use (granian imports it by name)
    if name == "application":
        app = _default()
        globals()["application"] = app
        return app
    raise AttributeError(name)
