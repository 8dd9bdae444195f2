"""Refusals that services raise and faces (views, API) turn into messages for the user."""

from __future__ import annotations

from dataclasses import dataclass

from django.core.exceptions import ValidationError


@dataclass(frozen=True)
class Finding:
    """A rule's verdict on an intended change. level: 'hard' blocks; 'warn' needs a reason."""

    rule: str
    level: str
    message: str

    def as_dict(self) -> dict:
        return {"rule": self.rule, "level": self.level, "message": str(self.message)}


class RuleViolation(ValidationError):
    """A hard rule blocks the change. The message names the rule (e.g. 'R1: ...')."""

    def __init__(self, findings: list[Finding]):
        self.findings = findings
        super().__init__([str(f.message) for f in findings], code="rule_violation")


class ReasonRequired(Exception):
    """Warnings apply; the change goes through only when the user gives a reason."""

    def __init__(self, findings: list[Finding]):
        self.findings = findings
        super().__init__("; ".join(str(f.message) for f in findings))


def enforce(findings: list[Finding], reason: str | None) -> list[dict]:
    """Raise for hard findings, or for warnings without a reason; return warnings to store."""
    hard = [f for f in findings if f.level == "hard"]
    if hard:
        raise RuleViolation(hard)
    warns = [f for f in findings if f.level == "warn"]
    if warns and not (reason or "").strip():
        raise ReasonRequired(warns)
    return [f.as_dict() for f in warns]
