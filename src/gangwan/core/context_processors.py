def navigation(request):
    scope = getattr(request, "scope", None)
    return {"scope": scope}
