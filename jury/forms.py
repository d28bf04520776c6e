from django import forms
from django.utils.translation import gettext_lazy as _


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
