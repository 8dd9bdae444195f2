"""Field types for personal data: an encrypted text field, a keyed-hash field that follows it,
and masking for display."""

from __future__ import annotations

from django.db import models

from . import crypto

MASKS = {"id_number": crypto.mask_id_number, "phone": crypto.mask_phone}


class EncryptedCharField(models.TextField):
    """Stored encrypted; Python sees plain text. Never filter on it: use its BlindIndexField."""

    def __init__(self, *args, mask: str = "phone", **kwargs):
        self.mask = mask
        super().__init__(*args, **kwargs)

    def deconstruct(self):
        name, path, args, kwargs = super().deconstruct()
        kwargs["mask"] = self.mask
        return name, path, args, kwargs

    def from_db_value(self, value, expression, connection):
        return crypto.decrypt(value) if value else value

    def get_prep_value(self, value):
        value = super().get_prep_value(value)
        return crypto.encrypt(value) if value else value

    def masked(self, value: str) -> str:
        return MASKS[self.mask](value) if value else ""


class BlindIndexField(models.CharField):
    """Keyed hash of another field's value, recomputed on every save (bulk inserts included)."""

    def __init__(self, *args, source: str = "", **kwargs):
        self.source = source
        kwargs.setdefault("max_length", 64)
        kwargs.setdefault("editable", False)
        kwargs.setdefault("db_index", True)
        kwargs.setdefault("blank", True)
        super().__init__(*args, **kwargs)

    def deconstruct(self):
        name, path, args, kwargs = super().deconstruct()
        kwargs["source"] = self.source
        return name, path, args, kwargs

    def pre_save(self, model_instance, add):
        raw = getattr(model_instance, self.source) or ""
        value = crypto.blind_index(raw) if raw else ""
        setattr(model_instance, self.attname, value)
        return value
