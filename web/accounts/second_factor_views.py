"""The two-step sign-in pages: set up an authenticator app (with recovery codes) and pass the
second step. Who needs it and who may set it up: ``web.accounts.second_factor``."""

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
from django_otp import user_has_device
from django_otp.oath import TOTP
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice
from django_otp.util import random_hex

from common import audit
from common.http import safe_next
from web.accounts.second_factor import may_set_up, second_factor_required

RECOVERY_CODES = 10
NEW_KEY = "second_factor_new_key"  # in the session: the key being set up, until confirmed


class CodeForm(forms.Form):
    code = forms.CharField(
        label=gettext_lazy("Code"),
        max_length=16,
        help_text=gettext_lazy("The six digits from your app, or one of your recovery codes."),
        error_messages={"required": gettext_lazy("Fill in the code.")},
        widget=forms.TextInput(
            attrs={
                "autocomplete": "one-time-code",
                "inputmode": "numeric",
                "autocapitalize": "off",
                "spellcheck": "false",
            }
        ),
    )

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
    then receive the recovery codes once. The new key lives in this session only until it is
    confirmed: nobody else who signs in to the account can see it or plant their own."""
    user = request.user
    if not second_factor_required(user):  # an authenticator nobody would ask for misleads
        return render(request, "common/second_factor_setup.html", {"not_needed": True})
    if not may_set_up(request):
        context = {"refused": True, "next": _next(request)}
        return render(request, "common/second_factor_setup.html", context, status=403)
    hex_key = request.session.setdefault(NEW_KEY, random_hex(20))
    device = TOTPDevice(user=user, name=_("Authenticator app"), key=hex_key, confirmed=False)
    form = CodeForm(request.POST or None, label_suffix="")
    if request.method == "POST" and form.is_valid():
        totp = TOTP(device.bin_key, device.step, device.t0, device.digits)
        code = form.cleaned_data["code"]
        if code.isdigit() and totp.verify(int(code), tolerance=device.tolerance):
            device.last_t = totp.t()  # this code cannot be used again for the second step
            codes = _confirm(user, device)
            del request.session[NEW_KEY]
            otp_login(request, device)
            context = {"codes": codes, "next": _next(request)}
            return render(request, "common/second_factor_codes.html", context)
        form.add_error(
            "code",
            _("That code is not right. Check the time on your phone and use the newest code."),
        )
    key = b32encode(device.bin_key).decode()
    context = {
        "form": form,
        "qr": _qr_svg(device),
        "key": " ".join(key[i : i + 4] for i in range(0, len(key), 4)),
        "next": _next(request),
    }
    return render(
        request, "common/second_factor_setup.html", context, status=400 if form.errors else 200
    )


@transaction.atomic
def _confirm(user, device: TOTPDevice) -> list[str]:
    """The new authenticator replaces the old ones; new recovery codes replace the old ones."""
    TOTPDevice.objects.filter(user=user).delete()
    device.confirmed = True
    device.save()
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
        device = _check(request.user, form.cleaned_data["code"])
        if device is not None:
            otp_login(request, device)
            if isinstance(device, StaticDevice):
                audit.record(actor=request.user, action="recovery_code_used", obj=request.user)
            return redirect(_next(request))
        form.add_error(
            "code",
            _("That code is not right. Wait a moment and try the newest code, or a recovery code."),
        )
    context = {"form": form, "next": _next(request)}
    return render(
        request, "common/second_factor_verify.html", context, status=400 if form.errors else 200
    )


def _check(user, code: str):
    """The device the code belongs to, or None. Six digits are checked against the app only
    and anything else against the recovery codes only, so a wrong app code does not make the
    recovery codes wait too. The device row is locked while it is checked: a code (or
    recovery code) sent twice at once works once."""
    model = TOTPDevice if code.isdigit() and len(code) == 6 else StaticDevice
    with transaction.atomic():
        device = model.objects.select_for_update().filter(user=user, confirmed=True).first()
        return device if device is not None and device.verify_token(code) else None
