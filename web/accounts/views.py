from __future__ import annotations

import datetime as dt

from django import forms
from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth.decorators import login_required
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_POST

from common import magiclink, tokens
from common.errors import DomainError
from common.forms import MagicLinkForm
from common.http import client_ip, require_organiser, safe_next
from common.models import ApiToken
from web.accounts.second_factor import SIGNED_IN_BY_LINK


@require_http_methods(["GET", "POST"])
def magic_request(request):
    """Ask for a sign-in link. Same answer for every address (no account enumeration)."""
    form = MagicLinkForm(request.POST if request.method == "POST" else None)
    next_url = safe_next(request, request.POST.get("next") or request.GET.get("next", ""))
    if request.method == "POST" and form.is_valid():
        try:
            magiclink.request_link(
                email=form.cleaned_data["email"], ip=client_ip(request), next_url=next_url
            )
        except magiclink.TooManyLinks as error:
            context = {"form": form, "next": next_url, "link_error": error.message}
            return render(request, "common/magic_request.html", context, status=429)
        return redirect("magic-sent")
    return render(request, "common/magic_request.html", {"form": form, "next": next_url})


def magic_sent(request):
    return render(request, "common/magic_sent.html")


@require_http_methods(["GET", "POST"])
def magic_link(request, token: str):
    """GET shows a button (mail scanners that open links must not use them up); POST signs in."""
    if request.method == "GET":
        return render(request, "common/magic_confirm.html", {"token": token})
    try:
        user, next_url = magiclink.redeem_link(token=token)
    except magiclink.LinkInvalid as error:
        form = MagicLinkForm()
        return render(
            request,
            "common/magic_request.html",
            {"form": form, "link_error": error.message},
            status=400,
        )
    login(request, user, backend="django.contrib.auth.backends.ModelBackend")
    request.session[SIGNED_IN_BY_LINK] = True  # a link alone sets up no second step
    return redirect(safe_next(request, next_url) or "home")


# --- Personal API tokens (organisers) --------------------------------------------------------


class ApiTokenForm(forms.Form):
    name = forms.CharField(
        label=gettext_lazy("Name"),
        max_length=100,
        help_text=gettext_lazy("What is the token for? For example: export for the website."),
        error_messages={"required": gettext_lazy("Give the token a name.")},
    )
    scope = forms.ChoiceField(
        label=gettext_lazy("What may the token do?"),
        choices=ApiToken.Scope.choices,
        initial=ApiToken.Scope.READ,
        widget=forms.RadioSelect,
        error_messages={"required": gettext_lazy("Choose what the token may do.")},
    )
    expires_on = forms.DateField(
        label=gettext_lazy("Works until"),
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        help_text=gettext_lazy(
            "At most one year from today. The token stops at the end of that day."
        ),
        error_messages={"required": gettext_lazy("Choose the last day the token works.")},
    )

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("label_suffix", "")
        super().__init__(*args, **kwargs)
        today = timezone.localdate()
        self.fields["expires_on"].initial = today + dt.timedelta(days=90)
        self.fields["expires_on"].widget.attrs.update(
            min=(today + dt.timedelta(days=1)).isoformat(),
            max=(today + dt.timedelta(days=365)).isoformat(),
        )

    def clean_expires_on(self):
        day = self.cleaned_data["expires_on"]
        today = timezone.localdate()
        if day < today:
            raise forms.ValidationError(_("The end date must lie in the future."))
        if day > today + dt.timedelta(days=365):
            raise forms.ValidationError(_("A token works for one year at most."))
        return day

    def expires_at(self) -> dt.datetime:
        """The end of the chosen day, in the site's time zone."""
        end = dt.datetime.combine(self.cleaned_data["expires_on"], dt.time(23, 59, 59))
        return timezone.make_aware(end)


@never_cache
@login_required
@require_http_methods(["GET", "POST"])
def api_tokens(request):
    """The organiser's own API tokens: list, make one (its secret is shown once, on the page
    that answers the POST, and never again), revoke."""
    require_organiser(request.user)
    form = ApiTokenForm(request.POST if request.method == "POST" else None)
    secret = None
    if request.method == "POST" and form.is_valid():
        try:
            _token, secret = tokens.create_token(
                user=request.user,
                name=form.cleaned_data["name"],
                scope=form.cleaned_data["scope"],
                expires_at=form.expires_at(),
            )
        except DomainError as error:
            form.add_error(None, error.message)
        else:
            form = ApiTokenForm()
    context = {
        "form": form,
        "secret": secret,
        "tokens": tokens.tokens_of(request.user),
        "now": timezone.now(),
    }
    status = 400 if request.method == "POST" and secret is None else 200
    return render(request, "common/api_tokens.html", context, status=status)


@login_required
@require_POST
def api_token_revoke(request, pk: int):
    require_organiser(request.user)
    token = get_object_or_404(tokens.tokens_of(request.user), pk=pk)
    tokens.revoke_token(token=token, actor=request.user)
    messages.success(request, _("The token %(name)s no longer works.") % {"name": token.name})
    return redirect("api-tokens")
