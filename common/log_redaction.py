"""Keep secret tokens out of the logs.

Sign-in links (``/inloggen/link/<token>/``) and jury invitations (``/jury/uitnodiging/<token>/``)
carry their token in the path. Whoever reads an access log or the application log must not be
able to use them, so both the gunicorn access log (``RedactingGunicornLogger``) and every record
of the ``console`` handler (``RedactTokens``) show ``[redacted]`` in their place.
"""

from __future__ import annotations

import logging
import re

from gunicorn.glogging import Logger as GunicornLogger

REDACTED = "[redacted]"
_TOKEN_PATH = re.compile(r"(/inloggen/link/|/jury/uitnodiging/)[^/?#\s'\"]+")
# Attributes every LogRecord has; anything else was passed with ``extra=`` (e.g. ``request``).
_STANDARD = set(vars(logging.makeLogRecord({}))) | {"message", "asctime"}


def redact(text: str) -> str:
    """``text`` with the token of every sign-in or invitation path replaced."""
    return _TOKEN_PATH.sub(rf"\g<1>{REDACTED}", text)


class RedactTokens(logging.Filter):
    """A handler filter: the message, its arguments and the extra fields (Django's
    ``django.request`` records carry the request) without tokens."""

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        if _TOKEN_PATH.search(message):
            record.msg, record.args = redact(message), ()
        for name, value in list(vars(record).items()):
            if name not in _STANDARD and _TOKEN_PATH.search(str(value)):
                setattr(record, name, redact(str(value)))
        return True


class RedactingGunicornLogger(GunicornLogger):
    """gunicorn's logger (``--logger-class``) with tokens removed from the access log fields
    (request line, path, referrer)."""

    def atoms(self, resp, req, environ, request_time):
        atoms = super().atoms(resp, req, environ, request_time)
        return {
            key: redact(value) if isinstance(value, str) else value for key, value in atoms.items()
        }
