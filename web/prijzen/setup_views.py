"""Organisers' pages to set up an edition: its details, entry window and limits, and its
categories. The rounds of an edition are set up from here too (``web.jury.setup_views``)."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from common.errors import DomainError
from common.http import require_organiser
from jury import setup as jury_setup
from jury.reports import edition as edition_export_data
from prijzen import selectors, setup
from prijzen.forms import CategoryForm, EditionForm, EntryFilterForm
from prijzen.models import Category, Edition


@login_required
@require_http_methods(["GET", "POST"])
def edition_new(request):
    require_organiser(request.user)
    form = EditionForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        edition = jury_setup.save_edition(form=form, actor=request.user)
        messages.success(request, _("The edition is made. Add its categories next."))
        return redirect("edition-setup", slug=edition.slug)
    return render(
        request,
        "prijzen/organiser/edition_new.html",
        {"form": form},
        status=400 if form.errors else 200,
    )


@login_required
@require_http_methods(["GET", "POST"])
def edition_setup(request, slug: str):
    """The edition's details, its categories and its rounds, on one page."""
    require_organiser(request.user)
    edition = get_object_or_404(Edition, slug=slug)
    form = EditionForm(request.POST or None, instance=edition)
    if request.method == "POST" and form.is_valid():
        edition = jury_setup.save_edition(form=form, actor=request.user)
        messages.success(request, _("The edition is saved."))
        return redirect("edition-setup", slug=edition.slug)
    edition.refresh_from_db()  # an invalid form leaves the page's other parts as saved
    return _page(request, edition, form=form, status=400 if form.errors else 200)


def _page(request, edition, *, form=None, category_form=None, status=200):
    categories = [
        (c, CategoryForm(instance=c, prefix=f"c{c.pk}")) for c in edition.categories.all()
    ]
    context = {
        "edition": edition,
        "form": form or EditionForm(instance=edition),
        "category_form": category_form
        or CategoryForm(prefix="new", initial={"position": edition.categories.count()}),
        "categories": categories,
        "rounds": edition.rounds.select_related("category").order_by("opens_at", "pk"),
        "sheets": [sheet.name for sheet in edition_export_data.SHEETS],
    }
    return render(request, "prijzen/organiser/edition_setup.html", context, status=status)


@login_required
@require_POST
def category_add(request, slug: str):
    require_organiser(request.user)
    edition = get_object_or_404(Edition, slug=slug)
    form = CategoryForm(request.POST, prefix="new")
    if form.is_valid():
        try:
            setup.save_category(edition=edition, form=form, actor=request.user)
        except DomainError as error:
            form.add_error("slug", error.message)
        else:
            messages.success(request, _("The category is added."))
            return redirect("edition-setup", slug=slug)
    return _page(request, edition, category_form=form, status=400)


@login_required
@require_POST
def category_change(request, pk: int):
    """Rename or reorder a category, or remove it (only without entries or rounds)."""
    require_organiser(request.user)
    category = get_object_or_404(Category.objects.select_related("edition"), pk=pk)
    slug = category.edition.slug
    try:
        if "delete" in request.POST:
            setup.delete_category(category=category, actor=request.user)
            messages.success(request, _("The category is removed."))
        else:
            form = CategoryForm(request.POST, instance=category, prefix=f"c{pk}")
            if not form.is_valid():
                messages.error(
                    request, " ".join(str(e) for errs in form.errors.values() for e in errs)
                )
                return redirect("edition-setup", slug=slug)
            setup.save_category(edition=category.edition, form=form, actor=request.user)
            messages.success(request, _("The category is saved."))
    except DomainError as error:
        messages.error(request, error.message)
    return redirect("edition-setup", slug=slug)


@login_required
def edition_export(request, slug: str):
    """Everything of the edition as one XLSX workbook."""
    require_organiser(request.user)
    return edition_export_data.workbook_response(get_object_or_404(Edition, slug=slug))


@login_required
def edition_export_csv(request, slug: str, sheet: str):
    """One sheet of the edition's workbook as CSV (semicolons, decimal commas)."""
    require_organiser(request.user)
    edition = get_object_or_404(Edition, slug=slug)
    spec = edition_export_data.BY_NAME.get(sheet)
    if spec is None:
        raise Http404
    return edition_export_data.sheet_response(edition, spec)


ENTRIES_PER_PAGE = 50


@login_required
def edition_entries(request, slug: str):
    """An edition's entries for organisers: search, filters and pages."""
    require_organiser(request.user)
    edition = get_object_or_404(Edition, slug=slug)
    form = EntryFilterForm(request.GET or None, edition=edition)
    filters = form.cleaned_data if form.is_valid() else {}
    entries = selectors.edition_entries(edition, **{k: v for k, v in filters.items() if v})
    page = Paginator(entries, ENTRIES_PER_PAGE).get_page(request.GET.get("pagina"))
    query = request.GET.copy()
    query.pop("pagina", None)
    context = {"edition": edition, "form": form, "page": page, "query": query.urlencode()}
    return render(request, "prijzen/organiser/edition_entries.html", context)
