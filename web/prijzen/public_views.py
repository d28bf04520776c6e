"""Public pages: an edition with its timeline, the winners per category, the gallery of
consented entries and one page per entry. Only what ``results.selectors`` calls public is
shown; awards and nominations appear only once the edition's results are published."""

from __future__ import annotations

from django.core.paginator import Paginator
from django.db.models import Q
from django.http import Http404, HttpResponseRedirect
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.views.decorators.cache import cache_control

from media_pipeline import storage
from media_pipeline.enums import RenditionKind
from media_pipeline.selectors import playback
from prijzen import selectors
from prijzen.enums import Outcome
from prijzen.models import Edition
from results.selectors import outcome_of, public_awards, public_entries, public_nominee_ids

GALLERY_PAGE_SIZE = 24


def _edition(slug: str) -> Edition:
    return get_object_or_404(selectors.editions(), slug=slug)


def _public_playback(entry) -> dict | None:
    """Preview and poster only (never the original); no storyboard track, which is private."""
    data = playback(entry.vlog)
    return {**data, "has_storyboard": False} if data else None


def edition(request, slug: str):
    edition = _edition(slug)
    return render(
        request,
        "prijzen/public/edition.html",
        {
            "edition": edition,
            "gallery_count": public_entries(edition).count(),
        },
    )


def winners(request, slug: str):
    """The winners per category with player, poster, initiative and the jury's motivation;
    before publication only the moment of the announcement."""
    edition = _edition(slug)
    awards = public_awards(edition)
    nominees = public_nominee_ids(edition)
    shown = list(public_entries(edition).filter(pk__in=[*awards, *nominees]))
    categories = []
    for category in edition.categories.all():
        in_category = [e for e in shown if e.category_id == category.pk]
        winning = [(e, awards[e.pk], _public_playback(e)) for e in in_category if e.pk in awards]
        categories.append(
            {
                "category": category,
                "winners": winning,
                "nominees": [e for e in in_category if e.pk not in awards],
                "hidden_winners": sum(1 for a in awards.values() if a.category_id == category.pk)
                - len(winning),
            }
        )
    return render(
        request,
        "prijzen/public/winners.html",
        {
            "edition": edition,
            "categories": categories,
            "published": edition.results_public,
        },
    )


def gallery(request, slug: str):
    """Every consented entry, with search (title, initiative, municipality) and filters
    (category, province). The order is the entry number, whatever the jury decided."""
    edition = _edition(slug)
    entries = public_entries(edition)
    query, category, province = (
        request.GET.get(name, "").replace("\x00", "").strip()[:100]
        for name in ("q", "categorie", "provincie")
    )
    if query:
        entries = entries.filter(
            Q(title__icontains=query)
            | Q(initiative__name__icontains=query)
            | Q(initiative__municipality__icontains=query)
        )
    if category:
        entries = entries.filter(category__slug=category)
    if province:
        entries = entries.filter(initiative__province=province)
    page = Paginator(entries, GALLERY_PAGE_SIZE).get_page(request.GET.get("pagina"))
    awards = public_awards(edition)
    nominees = public_nominee_ids(edition)
    for entry in page:
        # For the template (public entries have a ready vlog).
        poster = entry.vlog.rendition(RenditionKind.POSTER) if entry.vlog else None
        entry.poster_ready = poster is not None  # type: ignore[attr-defined]  # for the template
        entry.public_award = awards.get(entry.pk)  # type: ignore[attr-defined]  # for the template
        entry.public_nominee = entry.pk in nominees  # type: ignore[attr-defined]  # for the template
    provinces = sorted(set(public_entries(edition).values_list("initiative__province", flat=True)))
    params = request.GET.copy()
    params.pop("pagina", None)
    return render(
        request,
        "prijzen/public/gallery.html",
        {
            "edition": edition,
            "page": page,
            "query": query,
            "category": category,
            "province": province,
            "provinces": provinces,
            "params": params.urlencode(),
        },
    )


def _public_entry(slug: str, number: int):
    edition = _edition(slug)
    entry = public_entries(edition).filter(number=number).first()
    if entry is None:
        raise Http404
    return edition, entry


def entry(request, slug: str, number: int):
    edition, entry = _public_entry(slug, number)
    poster = entry.vlog.rendition(RenditionKind.POSTER)
    outcome = outcome_of(entry)  # None under embargo
    return render(
        request,
        "prijzen/public/entry.html",
        {
            "edition": edition,
            "entry": entry,
            "playback": _public_playback(entry),
            "award": entry.award if outcome == Outcome.WINNER else None,
            "nominee": outcome == Outcome.NOMINEE,
            "og_image": request.build_absolute_uri(reverse("public-poster", args=[slug, number]))
            if poster
            else "",
            "page_url": request.build_absolute_uri(request.path),
        },
    )


@cache_control(private=True, max_age=300)
def poster(request, slug: str, number: int):
    """A stable poster address for link previews (Open Graph): a short-lived redirect to a
    fresh presigned URL of the poster rendition, only while the entry is public."""
    entry = _public_entry(slug, number)[1]
    rendition = entry.vlog.rendition(RenditionKind.POSTER)
    if rendition is None:
        raise Http404
    return HttpResponseRedirect(storage.presigned_url(rendition.key))
