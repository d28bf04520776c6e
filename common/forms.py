import hashlib

from django import forms
from django.contrib.auth.forms import AuthenticationForm
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from common.http import client_ip
from common.identity import InvalidEmail, canonical_email


class EmailAuthenticationForm(AuthenticationForm):
    """Password sign-in, with a limit on failed attempts per address and per client address
    (counted in the shared cache for ``LOGIN_LOCK_SECONDS``) against password guessing."""

    MAX_FAILURES_PER_EMAIL = 10
    MAX_FAILURES_PER_IP = 50
    LOGIN_LOCK_SECONDS = 15 * 60

    error_messages = {
        **AuthenticationForm.error_messages,
        "invalid_login": _("The e-mail address or the password is not right. Please try again."),
        "too_many_attempts": _(
            "Too many attempts to sign in. Wait 15 minutes, or sign in with a link by e-mail."
        ),
    }
    username = forms.EmailField(
        label=_("E-mail address"),
        widget=forms.EmailInput(attrs={"autofocus": True, "autocomplete": "email"}),
    )

    def clean_username(self) -> str:
        try:
            return canonical_email(self.cleaned_data["username"])
        except InvalidEmail as error:
            raise ValidationError(error.message, code="invalid") from None

    def _failure_keys(self) -> list[tuple[str, int]]:
        email = (self.cleaned_data.get("username") or "").strip().lower()
        digest = hashlib.sha256(email.encode()).hexdigest()
        ip = client_ip(self.request) if self.request else ""
        return [(f"login-failures:email:{digest}", self.MAX_FAILURES_PER_EMAIL),
                (f"login-failures:ip:{ip}", self.MAX_FAILURES_PER_IP)]  # fmt: skip

    def clean(self):
        keys = self._failure_keys()
        if any((cache.get(key) or 0) >= limit for key, limit in keys):
            raise ValidationError(
                self.error_messages["too_many_attempts"], code="too_many_attempts"
            )
        try:
            return super().clean()
        except ValidationError:
            for key, _limit in keys:
                cache.add(key, 0, timeout=self.LOGIN_LOCK_SECONDS)
                try:
                    cache.incr(key)
                except ValueError:  # expired in between
                    cache.set(key, 1, timeout=self.LOGIN_LOCK_SECONDS)
            raise


class AdminEmailAuthenticationForm(EmailAuthenticationForm):
    """The Django admin's sign-in (``/beheer/login/``): the same failure limits as the site's
    form, and only staff get in (what Django's ``AdminAuthenticationForm`` checks)."""

    required_css_class = "required"

    def confirm_login_allowed(self, user) -> None:
        super().confirm_login_allowed(user)
        if not user.is_staff:
            raise ValidationError(self.error_messages["invalid_login"], code="invalid_login")


class MagicLinkForm(forms.Form):
    email = forms.EmailField(
        label=_("E-mail address"),
        max_length=254,
        widget=forms.EmailInput(attrs={"autocomplete": "email", "autofocus": True}),
        error_messages={
            "required": _("Fill in your e-mail address."),
            "invalid": _("This is not a valid e-mail address. Check it for typing errors."),
        },
    )

    def clean_email(self) -> str:
        """The canonical address (common.identity): every later lookup is an exact match."""
        try:
            return canonical_email(self.cleaned_data["email"])
        except InvalidEmail as error:
            raise ValidationError(error.message, code="invalid") from None
