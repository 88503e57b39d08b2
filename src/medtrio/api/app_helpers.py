"""Small helpers shared by route modules (kept out of app.py so routes need not import the app)."""

from __future__ import annotations

from medtrio.accounts import Account

HOMES = {"admin": "/admin", "clinician": "/clinic", "patient": "/me"}


def home_of(account: Account) -> str:
    return HOMES.get(account.role, "/login")


def safe_next(target: str | None) -> str:
    """Only same-site paths are followed after sign-in (no open redirects)."""
    if target and target.startswith("/") and not target.startswith("//") and "\\" not in target:
        return target
    return ""
