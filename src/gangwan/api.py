"""The JSON API under /api/v1/ (django-ninja), OpenAPI at /api/v1/openapi.json, docs at /api/v1/docs.

Routers live in each app's api.py. Every endpoint authenticates with a bearer token or the
back-office session (CSRF enforced) and reads through the selectors with the caller's Scope, so
the API shows exactly what the back office shows. Refusals from services become JSON:
422 {"detail": [messages]} for hard rules and invalid input, 409 {"detail", "warnings"} when rules
only warn and a `reason` is needed.
"""

from django.core.exceptions import PermissionDenied, ValidationError
from ninja import NinjaAPI, Schema
from ninja.errors import ValidationError as RequestValidationError

from gangwan.activities.api import router as activities_router
from gangwan.appraisals.api import router as appraisals_router
from gangwan.brands.api import router as brands_router
from gangwan.cobuild.api import router as cobuild_router
from gangwan.compliance.api import router as compliance_router
from gangwan.core.api_auth import API_AUTH
from gangwan.core.errors import ReasonRequired
from gangwan.dues.api import router as dues_router
from gangwan.exemplars.api import router as exemplars_router
from gangwan.floating.api import router as floating_router
from gangwan.incubator.api import router as incubator_router
from gangwan.members.api import router as members_router
from gangwan.organizations.api import router as organizations_router
from gangwan.pioneers.api import router as pioneers_router
from gangwan.regions.api import router as regions_router
from gangwan.transfers.api import router as transfers_router
from gangwan.units.api import router as units_router
from gangwan.voting.api import router as voting_router

api = NinjaAPI(
    title="Gangwan API",
    version="1",
    description="Regional, service-oriented Party building: regions, units and organizations, "
    "cut to the caller's scope. Authenticate with `Authorization: Bearer <token>`.",
    urls_namespace="api",
    auth=API_AUTH,
)


def _messages(exc: ValidationError) -> list[str]:
    if hasattr(exc, "error_dict"):
        return [
            msg if field == "__all__" else f"{field}: {msg}"
            for field, errors in exc.message_dict.items()
            for msg in errors
        ]
    return list(exc.messages)


@api.exception_handler(ValidationError)
def _service_refused(request, exc: ValidationError):
    # RuleViolation is a ValidationError: its messages already name the rule ("R1: …").
    return api.create_response(request, {"detail": _messages(exc)}, status=422)


@api.exception_handler(ReasonRequired)
def _reason_required(request, exc: ReasonRequired):
    return api.create_response(
        request,
        {
            "detail": [str(f.message) for f in exc.findings],
            "warnings": [f.as_dict() for f in exc.findings],
        },
        status=409,
    )


@api.exception_handler(PermissionDenied)
def _forbidden(request, exc: PermissionDenied):
    return api.create_response(request, {"detail": str(exc) or "Forbidden"}, status=403)


_REQUEST_PARTS = {"body", "query", "path", "header", "cookie", "payload", "filters"}


@api.exception_handler(RequestValidationError)
def _invalid_request(request, exc: RequestValidationError):
    # Same shape as a service refusal: a list of messages, each naming its field.
    out = []
    for err in exc.errors:
        loc = [str(p) for p in err.get("loc", ()) if str(p) not in _REQUEST_PARTS]
        out.append(f"{'.'.join(loc)}: {err.get('msg', '')}" if loc else str(err.get("msg", "")))
    return api.create_response(request, {"detail": out}, status=422)


class MeOut(Schema):
    id: int
    username: str
    display_name: str
    roles: list[str]
    structure_access: bool


@api.get("/me", response=MeOut, tags=["account"], summary="Who am I")
def me(request):
    """The caller's account and roles; reviewers and members have no structure access."""
    scope = request.scope
    user = request.auth
    return {
        "id": user.pk,
        "username": user.username,
        "display_name": user.display_name,
        "roles": sorted(scope.roles),
        "structure_access": scope.has_structure_access,
    }


api.add_router("/regions", regions_router)
api.add_router("/units", units_router)
api.add_router("/organizations", organizations_router)
api.add_router("/members", members_router)
api.add_router("/floating", floating_router)
api.add_router("/incubations", incubator_router)
api.add_router("/transfers", transfers_router)
api.add_router("/activities", activities_router)
api.add_router("/appraisals", appraisals_router)
api.add_router("/dues", dues_router)
api.add_router("/compliance", compliance_router)
api.add_router("/exemplars", exemplars_router)
api.add_router("/brands", brands_router)
api.add_router("/voting", voting_router)
api.add_router("/pioneers", pioneers_router)
api.add_router("/cobuild", cobuild_router)
