from django import forms
from django.utils.translation import gettext_lazy as _

from jury.enums import TieKind


class AcceptInvitationForm(forms.Form):
    terms = forms.BooleanField(
        label=_(
            "I keep everything I see and read as a jury member to myself, and I report a "
            "conflict of interest as soon as I notice one."
        ),
        error_messages={"required": _("Accept the confidentiality terms to take part.")},
    )


class ConflictForm(forms.Form):
    reason = forms.CharField(
        label=_("Why can you not judge this entry fairly?"),
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 2}),
        error_messages={"required": _("Tell us briefly why.")},
    )


class TieForm(forms.Form):
    kind = forms.ChoiceField(label=_("Kind of tie"), choices=TieKind.choices)
    value = forms.CharField(
        label=_("Name (municipality, province or organisation)"),
        max_length=200,
        error_messages={"required": _("Fill in a name.")},
    )
