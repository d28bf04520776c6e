"""Machine values in pages are never localised.

With Dutch active, Django writes numbers with a decimal comma and dates as ``02-03-2027``.
That is right for people and wrong for what a browser or a script reads back: a hidden
``6,0`` posted again was a server error, a ``type=date`` value that is not ISO is dropped by
the browser. Every page of the security battery is rendered as its owner, in Dutch, and every
form value a machine reads must parse in the machine's format.
"""

from datetime import date, datetime, time
from decimal import Decimal, InvalidOperation
from html.parser import HTMLParser

import pytest
from django.urls import reverse
from django.utils import translation

from jury.models import Criterion, Review
from tests.security.test_battery import PAGES, client_as, world  # noqa: F401 (fixture)

pytestmark = pytest.mark.django_db


def _number(value: str) -> None:
    Decimal(value)  # "6,0" raises InvalidOperation
    if not Decimal(value).is_finite():
        raise ValueError(value)


PARSERS = {
    "number": _number,
    "range": _number,
    "date": date.fromisoformat,
    "time": time.fromisoformat,
    "datetime-local": datetime.fromisoformat,
}
# Hidden fields that hold numbers: each must be a plain machine number.
NUMERIC_HIDDEN = ("version", "watched_seconds", "at_seconds", "position")


class Inputs(HTMLParser):
    def __init__(self):
        super().__init__()
        self.found: list[tuple[str, str, str]] = []

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "input" and attrs.get("value"):
            self.found.append((attrs.get("type", "text"), attrs.get("name", ""), attrs["value"]))
        for name in ("min", "max", "step"):
            if tag == "input" and attrs.get(name) and attrs.get(name) != "any":
                kind = attrs.get("type", "text")
                self.found.append((kind, f"{attrs.get('name', '')}[{name}]", attrs[name]))


def _bad_values(html: str) -> list[tuple[str, str, str]]:
    parser = Inputs()
    parser.feed(html)
    bad = []
    for kind, name, value in parser.found:
        parse = PARSERS.get(kind)
        if parse is None and kind == "hidden" and name in NUMERIC_HIDDEN:
            parse = _number
        if parse is None:
            continue
        try:
            parse(value)
        except (ValueError, InvalidOperation):
            bad.append((kind, name, value))
    return bad


def test_a_dutch_number_is_caught():
    assert _bad_values('<input type="hidden" name="watched_seconds" value="6,0">') == [
        ("hidden", "watched_seconds", "6,0")
    ]
    assert _bad_values('<input type="date" name="d" value="02-03-2027">') == [
        ("date", "d", "02-03-2027")
    ]
    assert _bad_values('<input type="number" name="n" value="7.5" step="0,5">') == [
        ("number", "n[step]", "0,5")
    ]


@pytest.mark.parametrize("name", sorted(n for n, p in PAGES.items() if p.owner_get == 200))
def test_form_values_parse_as_machine_values_in_dutch(world, name):  # noqa: F811
    page = PAGES[name]
    client, path = client_as(world, page.owner), reverse(name, kwargs=page.kwargs(world))
    client.get(path)  # a first visit may make the row (a review) the page shows
    # Fractions wherever the world has numbers, so a comma would show.
    Review.objects.update(watched_seconds=Decimal("6.5"))
    Criterion.objects.update(step=Decimal("0.5"))
    with translation.override("nl"):
        response = client.get(path)
    if response.status_code != 200 or "html" not in response.get("Content-Type", ""):
        return
    assert _bad_values(response.content.decode()) == []
