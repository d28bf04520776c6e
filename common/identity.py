"""One canonical form of an e-mail address: the identity of an account.

Every lookup of a person by address is an exact match on this form (never a case-insensitive
match in the database: PostgreSQL's ``UPPER`` of a dotless i (U+0131) is ``'I'``, so a look-alike
domain would match the real one). The form is: surrounding space removed, Unicode NFKC, an ASCII
local part in lower case, and the domain IDNA-encoded (punycode) in lower case.
"""

from __future__ import annotations

import unicodedata

import idna
from django.utils.translation import gettext_lazy as _

from common.errors import DomainError


class InvalidEmail(DomainError, ValueError):
    """An address that has no canonical form. Also a ValueError, for code that expects one."""

    code = "invalid_email"
    default_message = _(
        "We cannot use this e-mail address. Use only normal letters and numbers before the @."
    )


def canonical_email(raw: str | None) -> str:
    """The canonical form of ``raw``; raises InvalidEmail when there is none."""
    address = unicodedata.normalize("NFKC", (raw or "").strip())
    local, at, domain = address.rpartition("@")
    if not at or not local or not domain:
        raise InvalidEmail()
    if not local.isascii() or any(ch.isspace() or ord(ch) < 32 for ch in local):
        raise InvalidEmail()
    try:
        ascii_domain = idna.encode(domain.rstrip("."), uts46=True).decode("ascii")
    except (idna.IDNAError, UnicodeError, ValueError):
        raise InvalidEmail() from None
    return f"{local.lower()}@{ascii_domain.lower()}"
