"""`gangwan worker`: the background worker. Runs the database task worker (`db_worker`) and, beside
it, a scheduler thread that enqueues the periodic tasks (gangwan.core.tasks.PERIODIC) every
`--every` minutes. `--once` enqueues them once, runs the queue empty and exits."""

from __future__ import annotations

import threading

from django.core.management import BaseCommand, call_command
from django.db import close_old_connections, connections

from gangwan.core.tasks import enqueue_periodic


class Command(BaseCommand):
    help = "Run the background worker: database tasks plus the periodic scheduler."

    def add_arguments(self, parser):
        parser.add_argument("--every", type=float, default=15, help="minutes between runs")
        parser.add_argument("--once", action="store_true", help="enqueue, run the queue, exit")

    def handle(self, *args, every: float, once: bool, **options):
        verbosity = options.get("verbosity", 1)
        if once:
            enqueue_periodic()
            call_command("db_worker", "--batch", "--no-startup-delay", verbosity=verbosity)
            return
        stop = threading.Event()

        def schedule():
            while not stop.is_set():
                try:
                    close_old_connections()
                    enqueue_periodic()
                except Exception as exc:  # keep scheduling; the worker logs task failures
                    self.stderr.write(f"scheduler: {exc}")
                finally:
                    connections.close_all()
                stop.wait(every * 60)

        thread = threading.Thread(target=schedule, name="gangwan-scheduler", daemon=True)
        thread.start()
        try:
            call_command("db_worker", verbosity=verbosity)
        finally:
            stop.set()
