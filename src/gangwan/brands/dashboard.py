"""The dashboard's panel for this app: panel(request) -> dict | None (see dashboard/views.py)."""


def panel(request):
    return None
