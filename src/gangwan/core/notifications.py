"""Notifications: in-app messages, and gateways for SMS and e-mail at the edge of the world.

Gateways are pluggable (settings.GANGWAN_SMS_GATEWAY); the default console gateway prints the message
and keeps the last ones in memory, which is what a developer and the tests read."""

from __future__ import annotations

import logging
from collections import deque
from typing import Protocol

from django.conf import settings
from django.core.mail import send_mail
from django.utils.module_loading import import_string

from .models import Notification

log = logging.getLogger("gangwan.notifications")


class SmsGateway(Protocol):
    def send(self, phone: str, text: str) -> None: ...


class ConsoleSmsGateway:
    """Prints SMS to the console instead of sending them; keeps the last 200 for inspection."""

    outbox: deque = deque(maxlen=200)

    def send(self, phone: str, text: str) -> None:
        self.outbox.append((phone, text))
        print(f"[SMS to {phone}] {text}", flush=True)


def sms_gateway() -> SmsGateway:
    return import_string(
        getattr(settings, "GANGWAN_SMS_GATEWAY", "gangwan.core.notifications.ConsoleSmsGateway")
    )()


def send_sms(phone: str, text: str) -> None:
    sms_gateway().send(phone, text)


def notify(*, user, title: str, body: str = "", url: str = "", email: bool = False) -> Notification:
    """Leave a message in the user's inbox (and e-mail it when asked and the user has an address)."""
    n = Notification.objects.create(user=user, title=title[:200], body=body, url=url)
    if email and user.email:
        send_mail(title, f"{body}\n{url}".strip(), None, [user.email], fail_silently=True)
    return n


def notify_many(*, users, title: str, body: str = "", url: str = "") -> int:
    objs = [Notification(user=u, title=title[:200], body=body, url=url) for u in users]
    Notification.objects.bulk_create(objs)
    return len(objs)


def unread_count(user) -> int:
    return Notification.objects.filter(user=user, read_at__isnull=True).count()
