"""The audit trail: every service that changes data calls `audit_record`."""

from __future__ import annotations

import datetime as dt
import decimal

from django.contrib.contenttypes.models import ContentType
from django.db import models

from .fields import BlindIndexField, EncryptedCharField
from .models import AuditEntry


def _json(value):
    if isinstance(value, dt.date | dt.datetime):
        return value.isoformat()
    if isinstance(value, decimal.Decimal):
        return str(value)
    return value


def snapshot(obj: models.Model | None) -> dict | None:
    """Concrete field values, JSON-safe. Personal data appears masked, never in the clear."""
    if obj is None:
        return None
    data = {}
    for f in obj._meta.concrete_fields:
        if isinstance(f, BlindIndexField) or f.name in ("path", "depth"):
            continue
        value = getattr(obj, f.attname)
        if isinstance(f, EncryptedCharField):
            value = f.masked(value)
        data[f.attname if f.is_relation else f.name] = _json(value)
    return data


def region_path_of(obj: models.Model | None) -> str:
    """The region an object belongs to, for cutting the audit trail by scope."""
    if obj is None:
        return ""
    if hasattr(obj, "level") and hasattr(obj, "path"):  # a Region
        return obj.path
    for attr in ("region", "organization", "home_organization"):
        target = getattr(obj, attr, None)
        if target is not None and target is not obj:
            return region_path_of(target)
    return ""


def audit_record(
    *,
    actor,
    action: str,
    obj: models.Model | None = None,
    before: dict | None = None,
    after: dict | None = None,
    reason: str = "",
    warnings: list | None = None,
) -> AuditEntry:
    return AuditEntry.objects.create(
        actor=actor if getattr(actor, "pk", None) else None,
        action=action,
        content_type=ContentType.objects.get_for_model(obj) if obj is not None else None,
        object_id=str(obj.pk) if obj is not None else "",
        object_repr=str(obj)[:200] if obj is not None else "",
        before=before,
        after=after,
        reason=reason or "",
        warnings=warnings or [],
        region_path=region_path_of(obj),
    )


def history_for(obj: models.Model):
    ct = ContentType.objects.get_for_model(obj)
    return AuditEntry.objects.filter(content_type=ct, object_id=str(obj.pk)).select_related("actor")
