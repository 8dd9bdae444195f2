"""Transfers in the API (/api/v1/transfers): the same scope, state machine and refusals as the
back office. Out-of-scope transfers answer 404; a step that is not the caller's side's to take
answers 403; a refused step answers 422 with a message."""

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from ninja import Query, Router, Status
from ninja.errors import AuthorizationError
from ninja.pagination import paginate

from gangwan.core.api_auth import structure_scope
from gangwan.core.permissions import administers_organization
from gangwan.core.schemas import DETAIL_ERRORS, READ_ERRORS, UPDATE_ERRORS, WRITE_ERRORS, Pagination
from gangwan.members.selectors import member_list
from gangwan.organizations.models import Organization
from gangwan.organizations.selectors import organization_list

from . import selectors, services
from .models import TransferDirection
from .schemas import (
    IssueIn,
    ReceiptIn,
    ReceiveIn,
    ReturnIn,
    RevokeIn,
    TransferFilters,
    TransferIn,
    TransferOut,
)

router = Router(tags=["transfers"])


def _out(scope, t) -> dict:
    return {
        **{f: getattr(t, f) for f in TransferOut.model_fields if hasattr(t, f) and f != "actions"},
        "member": t.member,
        "from_organization": t.from_organization,
        "to_organization": t.to_organization,
        "actions": sorted(selectors.transfer_actions(scope=scope, transfer=t)),
    }


class _Rows:
    """A lazy page of transfers turned into dicts (with the caller's actions) after slicing."""

    def __init__(self, scope, qs):
        self.scope, self.qs = scope, qs

    def count(self):
        return self.qs.count()

    def __getitem__(self, item):
        return [_out(self.scope, t) for t in self.qs[item]]

    def __len__(self):
        return self.count()


@router.get("", response={200: list[TransferOut], **READ_ERRORS}, summary="List transfers")
@paginate(Pagination)
def transfer_list(request, filters: Query[TransferFilters]):
    """Transfers sent from your scope or addressed to it (drafts only on the sending side),
    newest first."""
    scope = structure_scope(request)
    qs = selectors.transfer_list(
        scope=scope,
        state=filters.state or "",
        direction=filters.direction or "",
        side=filters.side,
        q=filters.q,
    )
    return _Rows(scope, qs)


@router.get(
    "/{int:transfer_id}", response={200: TransferOut, **DETAIL_ERRORS}, summary="Get a transfer"
)
def transfer_detail(request, transfer_id: int):
    scope = structure_scope(request)
    return _out(scope, selectors.transfer_get(scope=scope, pk=transfer_id))


def _administered(scope, org: Organization) -> Organization:
    if not administers_organization(scope, org):
        raise AuthorizationError(message=_("You do not administer %(org)s.") % {"org": org})
    return org


@router.post("", response={201: TransferOut, **WRITE_ERRORS}, summary="Draft a transfer")
def transfer_create(request, payload: TransferIn):
    """Draft a transfer of a member you administer (`internal`: to any active organization;
    `out`: to an organization outside the system named in `to_text`), or record an arrival from
    outside the system (`in`: `to_organization` you administer, `from_text`, `incoming`)."""
    scope = structure_scope(request)
    fields: dict = {"direction": payload.direction}
    if payload.direction == TransferDirection.IN:
        org = organization_list(scope=scope).filter(pk=payload.to_organization).first()
        if org is None:
            raise ValidationError(
                {
                    "to_organization": _("No organization %(pk)s in your scope.")
                    % {"pk": payload.to_organization}
                }
            )
        person = payload.incoming
        if person is None:
            raise ValidationError({"incoming": _("Describe the arriving member.")})
        fields.update(
            to_organization=_administered(scope, org),
            from_text=payload.from_text,
            incoming_name=person.name,
            incoming_id_number=person.id_number,
            incoming_phone=person.phone,
            incoming_status=person.status,
            incoming_joined_on=person.joined_on,
        )
    else:
        member = member_list(scope=scope).filter(pk=payload.member).first()
        if member is None:
            raise ValidationError(
                {"member": _("No member %(pk)s in your scope.") % {"pk": payload.member}}
            )
        _administered(scope, member.organization)
        fields["member"] = member
        if payload.direction == TransferDirection.INTERNAL:
            to = Organization.objects.filter(
                pk=payload.to_organization, dissolved_on__isnull=True
            ).first()
            if to is None:
                raise ValidationError(
                    {
                        "to_organization": _("No active organization %(pk)s.")
                        % {"pk": payload.to_organization}
                    }
                )
            fields["to_organization"] = to
        else:
            fields["to_text"] = payload.to_text
    t = services.transfer_create(actor=request.auth, **fields)
    return Status(201, _out(scope, selectors.transfer_get(scope=scope, pk=t.pk)))


def _step(request, transfer_id: int, action: str, call):
    scope = structure_scope(request)
    t = selectors.transfer_get(scope=scope, pk=transfer_id)
    if action not in selectors.transfer_actions(scope=scope, transfer=t):
        raise AuthorizationError(message=_("This step is not yours to take on this transfer now."))
    call(t)
    return _out(scope, selectors.transfer_get(scope=scope, pk=t.pk))


STEP = {200: TransferOut, **UPDATE_ERRORS}


@router.post("/{int:transfer_id}/issue", response=STEP, summary="Issue the letter")
def transfer_issue(request, transfer_id: int, payload: IssueIn):
    """Sender: number the letter, set its validity (R24) and the dues month."""
    return _step(
        request,
        transfer_id,
        "issue",
        lambda t: services.transfer_issue(actor=request.auth, transfer=t, **payload.dict()),
    )


@router.post("/{int:transfer_id}/receive", response=STEP, summary="Receive the member")
def transfer_receive(request, transfer_id: int, payload: ReceiveIn):
    """Receiver (sender for transfers out of the system, on the returned receipt): the member moves
    (R21)."""
    return _step(
        request,
        transfer_id,
        "receive",
        lambda t: services.transfer_receive(actor=request.auth, transfer=t, **payload.dict()),
    )


@router.post("/{int:transfer_id}/receipt", response=STEP, summary="Record the receipt sent back")
def transfer_receipt(request, transfer_id: int, payload: ReceiptIn):
    return _step(
        request,
        transfer_id,
        "receipt",
        lambda t: services.transfer_receipt_return(
            actor=request.auth, transfer=t, **payload.dict()
        ),
    )


@router.post("/{int:transfer_id}/return", response=STEP, summary="Return the letter")
def transfer_return(request, transfer_id: int, payload: ReturnIn):
    """Receiver: send the letter back with a reason (R21); the member stays with the sender."""
    return _step(
        request,
        transfer_id,
        "return",
        lambda t: services.transfer_return(actor=request.auth, transfer=t, **payload.dict()),
    )


@router.post("/{int:transfer_id}/revoke", response=STEP, summary="Revoke the transfer")
def transfer_revoke(request, transfer_id: int, payload: RevokeIn):
    """Sender: withdraw a draft or an issued letter, with a reason."""
    return _step(
        request,
        transfer_id,
        "revoke",
        lambda t: services.transfer_revoke(actor=request.auth, transfer=t, **payload.dict()),
    )


@router.post("/{int:transfer_id}/expire", response=STEP, summary="Mark the letter expired")
def transfer_expire(request, transfer_id: int):
    """Sender: an issued letter whose validity passed without receipt (R24)."""
    return _step(
        request,
        transfer_id,
        "expire",
        lambda t: services.transfer_expire(actor=request.auth, transfer=t),
    )
