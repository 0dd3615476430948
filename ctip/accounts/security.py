def lockout_username(request, credentials) -> str | None:
    """The account an attempt is counted against: its email, case-folded, so that
    "Dara@x.org" and "dara@x.org" share one failure count."""
    username = (credentials or {}).get("username") or request.POST.get("username")
    return username.strip().lower() if username else None
