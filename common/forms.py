import hashlib

from django import forms
from django.contrib.auth.forms import AuthenticationForm
from django.core.cache import cache
from django.core.exceptions import FieldDoesNotExist, ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db.backends.base.operations import BaseDatabaseOperations
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
        return [
            (f"login-failures:email:{digest}", self.MAX_FAILURES_PER_EMAIL),
            (f"login-failures:ip:{ip}", self.MAX_FAILURES_PER_IP),
        ]

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


class DutchForm:
    """The base of the platform's forms: labels without a trailing colon (they read better,
    also for screen readers), and for a model form every whole number within what its
    database column holds on every database (SQLite checks no range, PostgreSQL fails on a
    number too large, so without this the same input is stored or gives a 500)."""

    fields: dict[str, forms.Field]  # a mixin of forms.Form and forms.ModelForm

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("label_suffix", "")
        super().__init__(*args, **kwargs)
        model = getattr(getattr(self, "_meta", None), "model", None)
        for name, field in self.fields.items():
            if model is None or not isinstance(field, forms.IntegerField):
                continue
            try:
                column = model._meta.get_field(name).get_internal_type()
            except FieldDoesNotExist:
                continue
            low, high = BaseDatabaseOperations.integer_field_ranges.get(column, (None, None))
            if low is not None and field.min_value is None:
                field.min_value = low
                field.validators.append(MinValueValidator(low))
                field.widget.attrs["min"] = low
            if high is not None and field.max_value is None:
                field.max_value = high
                field.validators.append(MaxValueValidator(high))
                field.widget.attrs["max"] = high


MOMENT_FORMAT = "%Y-%m-%dT%H:%M"  # what <input type=datetime-local> sends and reads


class MomentField(forms.DateTimeField):
    """A moment of a prize season: within this century (a typo such as 0202 is refused, and
    every moment it keeps has a time zone offset that clients can read)."""

    def validate(self, value):
        super().validate(value)
        if value is not None and not 2000 <= value.year <= 2100:
            raise forms.ValidationError(_("Choose a moment between 2000 and 2100."), "range")


def moment_field(label, *, required=True, help_text="") -> forms.DateTimeField:
    """A date and time in Amsterdam time, as the browser's date-time picker writes it."""
    return MomentField(
        label=label,
        required=required,
        help_text=help_text,
        input_formats=[MOMENT_FORMAT],
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format=MOMENT_FORMAT),
        error_messages={
            "required": _("Fill in a date and time."),
            "invalid": _("Fill in a date and time, for example 10-06-2027 20:00."),
        },
    )
