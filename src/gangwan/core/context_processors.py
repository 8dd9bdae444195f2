def navigation(request):
    return {"scope": getattr(request, "scope", None)}
