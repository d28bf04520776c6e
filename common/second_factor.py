"""Who must never be signed in by an e-mail link alone (a sign-in link, a jury invitation).

Two-step sign-in (TOTP with recovery codes, django-otp) builds on this rule; it is not part of
the platform yet (see docs/security.md, "Still open")."""

from __future__ import annotations

# Set in the session by a sign-in through an e-mail link (the sign-in link, a jury invitation).
SIGNED_IN_BY_LINK = "signed_in_by_link"


def privileged(user) -> bool:
    """Organisers, staff and superusers: the accounts to protect most."""
    return user.is_authenticated and (user.is_organiser or user.is_staff or user.is_superuser)
