"""In-process events between apps that must not import each other upward.

A lower app publishes what happened ("member.changed"); an upper app subscribes in its AppConfig.ready
and decides what follows (e.g. the incubator re-checks a unit's eligibility). Listeners run
synchronously inside the publisher's transaction, so what they write commits or rolls back with it.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable

_listeners: dict[str, list[Callable]] = defaultdict(list)


def subscribe(event: str, listener: Callable) -> None:
    if listener not in _listeners[event]:
        _listeners[event].append(listener)


def publish(event: str, **payload) -> None:
    for listener in list(_listeners[event]):
        listener(**payload)


# Events published by the apps, with their payloads:
MEMBER_CHANGED = "member.changed"  # actor, members: list[Member], unit_ids: set[int]
ORGANIZATION_CHANGED = "organization.changed"  # organization_ids: list[int]
ACTIVITY_CHANGED = "activity.changed"  # organization_ids: list[int]
