"""Materialized-path trees (regions, organizations).

A node's `path` is its ancestors' steps followed by its own, each step STEP_WIDTH decimal digits.
A subtree is the half-open range [path, successor(path)): a plain B-tree range scan on both SQLite
and PostgreSQL, whatever the collation, because paths hold digits only. `LIKE 'prefix%'` is avoided:
PostgreSQL cannot use an ordinary index for it outside the C collation.
"""

from __future__ import annotations

from collections.abc import Iterable

from django.db import models
from django.db.models import F, Max, Q, Value
from django.db.models.functions import Concat, Substr

STEP_WIDTH = 5
MAX_STEP = 10**STEP_WIDTH - 1


def step(n: int) -> str:
    if not 1 <= n <= MAX_STEP:
        raise ValueError(f"tree step out of range: {n}")
    return str(n).zfill(STEP_WIDTH)


def successor(path: str) -> str | None:
    """The smallest string greater than every path that starts with `path`."""
    digits = list(path)
    i = len(digits) - 1
    while i >= 0 and digits[i] == "9":
        digits[i] = "0"
        i -= 1
    if i < 0:
        return None
    digits[i] = str(int(digits[i]) + 1)
    return "".join(digits[: i + 1])


def subtree_q(paths: Iterable[str], field: str = "path") -> Q:
    """Q for nodes inside any of the subtrees rooted at `paths` (range predicates only)."""
    q = Q(pk__in=[])
    for p in sorted(set(paths)):
        upper = successor(p)
        cond = Q(**{f"{field}__gte": p})
        if upper is not None:
            cond &= Q(**{f"{field}__lt": upper})
        q |= cond
    return q


def ancestor_paths(path: str) -> list[str]:
    """Paths of the node's ancestors, root first (the node itself excluded)."""
    return [path[:i] for i in range(STEP_WIDTH, len(path), STEP_WIDTH)]


class TreeNode(models.Model):
    """Abstract materialized-path node. Writes go through services, which call these helpers."""

    parent = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="children"
    )
    path = models.CharField(max_length=255, unique=True, editable=False)
    depth = models.PositiveSmallIntegerField(default=1, editable=False)

    class Meta:
        abstract = True

    # --- reading -----------------------------------------------------------------------------
    def subtree(self):
        return type(self)._default_manager.filter(subtree_q([self.path]))

    def descendants(self):
        return self.subtree().exclude(pk=self.pk)

    def ancestors(self):
        return (
            type(self)._default_manager.filter(path__in=ancestor_paths(self.path)).order_by("depth")
        )

    def is_descendant_of(self, other: TreeNode) -> bool:
        return self.path != other.path and self.path.startswith(other.path)

    # --- writing (called from services only) ----------------------------------------------------
    @classmethod
    def next_child_path(cls, parent: TreeNode | None) -> str:
        siblings = (
            cls._default_manager.filter(parent=parent)
            if parent
            else cls._default_manager.filter(parent__isnull=True)
        )
        last = siblings.aggregate(m=Max("path"))["m"]
        n = int(last[-STEP_WIDTH:]) + 1 if last else 1
        return (parent.path if parent else "") + step(n)

    def place_under(self, parent: TreeNode | None) -> None:
        """Set path and depth for a node not yet saved."""
        self.parent = parent
        self.path = type(self).next_child_path(parent)
        self.depth = len(self.path) // STEP_WIDTH

    def move_under(self, new_parent: TreeNode | None) -> None:
        """Move this node and its subtree: one UPDATE rewrites every path in the range."""
        # Paths held in memory may be stale (an earlier move in the same request): the database decides.
        self.refresh_from_db(fields=["path", "depth"])
        if new_parent is not None:
            new_parent.refresh_from_db(fields=["path", "depth"])
            if new_parent.pk == self.pk or new_parent.is_descendant_of(self):
                raise ValueError("cannot move a node under itself")
        old_path = self.path
        new_path = type(self).next_child_path(new_parent)
        delta = len(new_path) // STEP_WIDTH - self.depth
        type(self)._default_manager.filter(subtree_q([old_path])).update(
            path=Concat(
                Value(new_path), Substr("path", len(old_path) + 1), output_field=models.CharField()
            ),
            depth=F("depth") + delta,
        )
        type(self)._default_manager.filter(pk=self.pk).update(parent=new_parent)
        self.refresh_from_db(fields=["path", "depth", "parent"])
