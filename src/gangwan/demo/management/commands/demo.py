"""`gangwan demo [--seed N] [--scale F] [--reset]`: load the demo district (SPEC §12)."""

from __future__ import annotations

import json
import time

from django.core.management.base import BaseCommand, CommandError

from gangwan.demo.services import (
    DEFAULT_SEED,
    DEMO_PASSWORD,
    demo_accounts,
    demo_is_loaded,
    demo_load,
    demo_reset,
    demo_summary,
)


class Command(BaseCommand):
    help = "Load the demo district (北仑区). --reset empties the whole database first."

    def add_arguments(self, parser):
        parser.add_argument(
            "--seed", type=int, default=DEFAULT_SEED, help="random seed (same seed, same district)"
        )
        parser.add_argument(
            "--scale",
            type=float,
            default=1.0,
            help="size factor: 1.0 ≈ 25,000 members, 1,500 organizations",
        )
        parser.add_argument(
            "--reset", action="store_true", help="empty the database (all tables) and load again"
        )
        parser.add_argument("--json", action="store_true", help="print the counts as JSON")

    def handle(self, *args, seed: int, scale: float, reset: bool, json: bool = False, **options):
        if not 0 < scale <= 4:
            raise CommandError("--scale must lie in (0, 4]")
        if demo_is_loaded() and not reset:
            self.stdout.write("The demo district is already loaded (use --reset to load it again).")
        else:
            if reset:
                demo_reset()
            started = time.perf_counter()
            demo_load(seed=seed, scale=scale)
            seconds = time.perf_counter() - started
            summary = demo_summary()
            if json:
                self.stdout.write(
                    _json({"seconds": round(seconds, 2), "seed": seed, "scale": scale, **summary})
                )
                return
            self.stdout.write(
                f"Loaded the demo district in {seconds:.1f} s (seed {seed}, scale {scale}):"
            )
            for key, value in summary.items():
                self.stdout.write(f"  {key}: {value}")
        self.stdout.write("Demo accounts:")
        for acc in demo_accounts():
            self.stdout.write(f"  {acc['username']:<22} {acc['role']:<16} {acc['scope']}")
        self.stdout.write(f"  password: {DEMO_PASSWORD}")


def _json(data) -> str:
    return json.dumps(data, ensure_ascii=False, sort_keys=True)
