"""Small helpers shared by the back-office views: running a service and turning its refusals
into form errors or a reason prompt, so views stay free of business logic."""

from __future__ import annotations

from django.core.exceptions import ValidationError

from .errors import ReasonRequired


def run_service(form, call):
    """Call `call()`; on refusal attach the messages to `form` and return (None, findings)."""
    try:
        return call(), []
    except ReasonRequired as exc:
        if form.data.get("reason"):
            form.add_error(None, ValidationError([str(f.message) for f in exc.findings]))
        return None, exc.findings
    except ValidationError as exc:
        if hasattr(exc, "error_dict"):
            for field, errors in exc.error_dict.items():
                form.add_error(field if field in form.fields else None, errors)
        else:
            form.add_error(None, exc)
        return None, []


def querystring_without_page(request) -> str:
    q = request.GET.copy()
    q.pop("page", None)
    return q.urlencode()
