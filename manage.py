#!/usr/bin/env python
"""Django's manage.py, for habit; `gangwan <command>` does the same."""

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent / "src"))

from gangwan.cli import main  # noqa: E402

if __name__ == "__main__":
    main(sys.argv[1:])
