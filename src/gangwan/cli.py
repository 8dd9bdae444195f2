"""The `gangwan` command.

gangwan run       migrate, load the demo district once, print the accounts, serve with granian
gangwan assets    copy front-end packages from node_modules, compile messages, collect static
gangwan demo      (re)load the demo district (see `gangwan demo --help`)
gangwan <other>   any Django management command (migrate, createsuperuser, shell, ...)
"""

from __future__ import annotations

import os
import shutil
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent.parent

# Files taken from npm packages into build/vendor (served as /static/vendor/...).
VENDOR_FILES = {
    "bootstrap/dist/css/bootstrap.min.css": "vendor/bootstrap.min.css",
    "bootstrap/dist/js/bootstrap.bundle.min.js": "vendor/bootstrap.bundle.min.js",
    "htmx.org/dist/htmx.min.js": "vendor/htmx.min.js",
    "echarts/dist/echarts.min.js": "vendor/echarts.min.js",
}


def _django():
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "gangwan.settings")
    import django

    django.setup()


def compile_messages() -> None:
    import polib

    locale = Path(__file__).resolve().parent / "locale"
    for po_path in locale.glob("*/LC_MESSAGES/*.po"):
        mo_path = po_path.with_suffix(".mo")
        if not mo_path.exists() or mo_path.stat().st_mtime < po_path.stat().st_mtime:
            polib.pofile(str(po_path)).save_as_mofile(str(mo_path))


def assets() -> None:
    node_modules = ROOT / "node_modules"
    build = ROOT / "build"
    for src, dest in VENDOR_FILES.items():
        s, d = node_modules / src, build / dest
        if not s.exists():
            sys.exit(f"{s} is missing: run `npm ci` (make does it for you)")
        d.parent.mkdir(parents=True, exist_ok=True)
        if not d.exists() or d.stat().st_mtime < s.stat().st_mtime:
            shutil.copy2(s, d)
    compile_messages()
    _django()
    from django.core.management import call_command

    call_command("collectstatic", interactive=False, verbosity=0)


def run(argv: list[str]) -> None:
    _django()
    from django.conf import settings
    from django.core.management import call_command

    call_command("migrate", interactive=False, verbosity=0)
    call_command("createcachetable", verbosity=0)
    from gangwan.demo.services import demo_accounts, demo_is_loaded, demo_load

    if not demo_is_loaded():
        print("Loading the demo district (once)…", flush=True)
        demo_load()
    host, port = os.environ.get("GANGWAN_HOST", "127.0.0.1"), os.environ.get("GANGWAN_PORT", "8000")
    print(
        f"\nGangwan is serving on http://{host}:{port}/  (database: {settings.DATABASES['default']['ENGINE'].rsplit('.', 1)[-1]})"
    )
    print("Demo accounts (password for all: see below):")
    for acc in demo_accounts():
        print(f"  {acc['username']:<22} {acc['role']:<16} {acc['scope']}")
    from gangwan.demo.services import DEMO_PASSWORD

    print(f"  password: {DEMO_PASSWORD}\n", flush=True)
    workers = os.environ.get("GANGWAN_WORKERS", "2")
    granian = shutil.which("granian") or str(Path(sys.executable).parent / "granian")
    args = [
        granian,
        "--interface",
        "wsgi",
        "--host",
        host,
        "--port",
        port,
        "--workers",
        workers,
        "--blocking-threads",
        os.environ.get("GANGWAN_THREADS", str(default_threads())),
        "--no-ws",
        "gangwan.wsgi:application",
        *argv,
    ]
    # The background worker (reminders, letter expiry) runs beside the web server and stops with it.
    import subprocess

    worker = subprocess.Popen([sys.executable, "-m", "gangwan.cli", "worker"])
    try:
        sys.exit(subprocess.call(args))
    finally:
        worker.terminate()
        worker.wait(10)


def default_threads() -> int:
    """Blocking threads per granian worker: requests mostly wait on the database, so more than
    one per core pays (the public vote casts about 1.5× as many ballots with 8 as with 2);
    granian advises no more than 2 × cores + 1."""
    return min(8, 2 * (os.cpu_count() or 1) + 1)


def main(argv: list[str] | None = None) -> None:
    argv = list(sys.argv[1:] if argv is None else argv)
    cmd = argv[0] if argv else "help"
    if cmd == "run":
        run(argv[1:])
    elif cmd == "assets":
        assets()
    elif cmd in ("help", "-h", "--help"):
        print(__doc__)
    else:
        _django()
        from django.core.management import execute_from_command_line

        execute_from_command_line(["gangwan", *argv])


if __name__ == "__main__":
    main()
