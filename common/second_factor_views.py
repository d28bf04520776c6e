"""The two-step sign-in pages: set up an authenticator app (with recovery codes) and pass the
second step. Who needs it and who may set it up: ``common.second_factor``."""

from __future__ import annotations

from base64 import b32encode

import segno
from django import forms
from django.contrib.auth.decorators import login_required
from django.db import transaction
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods
from django_otp import login as otp_login
from django_otp import match_token, user_has_device
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from common import audit
from common.http import safe_next
from common.second_factor import may_set_up

RECOVERY_CODES = 10


class CodeForm(forms.Form):
    code = forms.CharField(
        label=gettext_lazy("Code"),
        max_length=16,
        help_text=gettext_lazy("The six digits from your app, or one of your recovery codes."),
        error_messages={"required": gettext_lazy("Fill in the code.")},
        widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "inputmode": "numeric",
                                      "autocapitalize": "off", "spellcheck": "false"}),
    )  # fmt: skip

    def clean_code(self):
        return "".join(self.cleaned_data["code"].split())


def _next(request) -> str:
    return safe_next(request, request.POST.get("next") or request.GET.get("next", "")) or "/"


def _qr_svg(device: TOTPDevice) -> str:
    return segno.make(device.config_url, error="m").svg_inline(scale=4, title=_("QR code"))


@login_required
@require_http_methods(["GET", "POST"])
def setup(request):
    """Set up an authenticator app: scan the QR code (or type the key), confirm with a code,
    then receive the recovery codes once."""
    if not may_set_up(request):
        return render(request, "common/second_factor_setup.html", {"refused": True}, status=403)
    user = request.user
    device = TOTPDevice.objects.filter(user=user, confirmed=False).first()
    if device is None:
        device = TOTPDevice.objects.create(user=user, name=_("Authenticator app"), confirmed=False)
    form = CodeForm(request.POST or None, label_suffix="")
    if request.method == "POST" and form.is_valid():
        if device.verify_token(form.cleaned_data["code"]):
            codes = _confirm(user, device)
            otp_login(request, device)
            context = {"codes": codes, "next": _next(request)}
            return render(request, "common/second_factor_codes.html", context)
        form.add_error("code", _("That code is not right. Check the time on your phone and "
                                 "use the newest code."))  # fmt: skip
    key = b32encode(device.bin_key).decode()
    context = {
        "form": form,
        "qr": _qr_svg(device),
        "key": " ".join(key[i : i + 4] for i in range(0, len(key), 4)),
        "next": _next(request),
    }
    return render(request, "common/second_factor_setup.html", context,
                  status=400 if form.errors else 200)  # fmt: skip


@transaction.atomic
def _confirm(user, device: TOTPDevice) -> list[str]:
    """The new authenticator replaces the old ones; new recovery codes replace the old ones."""
    TOTPDevice.objects.filter(user=user).exclude(pk=device.pk).delete()
    device.confirmed = True
    device.save(update_fields=["confirmed"])
    StaticDevice.objects.filter(user=user).delete()
    recovery = StaticDevice.objects.create(user=user, name=_("Recovery codes"))
    codes = [StaticToken.random_token() for _n in range(RECOVERY_CODES)]
    StaticToken.objects.bulk_create(StaticToken(device=recovery, token=c) for c in codes)
    audit.record(actor=user, action="second_factor_set_up", obj=user)
    return codes


@login_required
@require_http_methods(["GET", "POST"])
def verify(request):
    """The second step: a code from the app or a recovery code (used up once used)."""
    if request.user.is_verified() or not user_has_device(request.user):
        return redirect(_next(request))  # passed, or nothing to check (the page sets it up)
    form = CodeForm(request.POST or None, label_suffix="")
    if request.method == "POST" and form.is_valid():
        device = match_token(request.user, form.cleaned_data["code"])
        if device is not None:
            otp_login(request, device)
            if isinstance(device, StaticDevice):
                audit.record(actor=request.user, action="recovery_code_used", obj=request.user)
            return redirect(_next(request))
        form.add_error("code", _("That code is not right. Wait a moment and try the newest "
                                 "code, or a recovery code."))  # fmt: skip
    context = {"form": form, "next": _next(request)}
    return render(request, "common/second_factor_verify.html", context,
                  status=400 if form.errors else 200)  # fmt: skip
