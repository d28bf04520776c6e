from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from prijzen.consents import CONSENT_TEXTS
from prijzen.models import Category, Entry, Initiative
from prijzen.municipalities import grouped_choices


class DutchForm:
    """Labels without a trailing colon (they read better, also for screen readers)."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("label_suffix", "")
        super().__init__(*args, **kwargs)


class InitiativeForm(DutchForm, forms.ModelForm):
    website = forms.URLField(
        label=_("Website (optional)"),
        required=False,
        assume_scheme="https",
        error_messages={"invalid": _("Fill in a web address, for example www.example.nl.")},
    )
    municipality = forms.ChoiceField(
        label=_("Municipality"),
        error_messages={
            "required": _("Choose your municipality from the list."),
            "invalid_choice": _("Choose your municipality from the list."),
        },
    )

    class Meta:
        model = Initiative
        fields = ["name", "municipality", "contact_name", "phone", "website", "description"]
        labels = {
            "name": _("Name of the initiative"),
            "contact_name": _("Contact person"),
            "phone": _("Phone number (optional)"),
            "description": _("What does your initiative do? (optional)"),
        }
        help_texts = {"description": _("At most 1000 characters.")}
        widgets = {"description": forms.Textarea(attrs={"rows": 4, "data-counter": "1000"})}
        error_messages = {
            "name": {"required": _("Fill in the name of your initiative.")},
            "contact_name": {"required": _("Fill in the name of the contact person.")},
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["municipality"].choices = [
            ("", _("Choose your municipality")),
            *grouped_choices(),
        ]


class EntryForm(DutchForm, forms.ModelForm):
    category = forms.ModelChoiceField(
        label=_("Category"),
        queryset=Category.objects.none(),
        widget=forms.RadioSelect,
        empty_label=None,
        error_messages={"required": _("Choose a category.")},
    )
    consents = forms.MultipleChoiceField(
        label=_("Consents"),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        choices=[(kind, text) for kind, (_version, text) in CONSENT_TEXTS.items()],
    )

    class Meta:
        model = Entry
        fields = ["category", "title", "summary", "answer"]
        labels = {
            "title": _("Title of your vlog"),
            "summary": _("Short description"),
        }
        help_texts = {
            "title": _("At most 120 characters."),
            "summary": _(
                "In a few sentences: what can we see in your vlog? At most 500 characters."
            ),
        }
        widgets = {
            "title": forms.TextInput(attrs={"data-counter": "120"}),
            "summary": forms.Textarea(attrs={"rows": 3, "data-counter": "500"}),
            "answer": forms.Textarea(attrs={"rows": 8, "data-counter": "3000"}),
        }

    def __init__(self, *args, edition, consents: set[str], **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["category"].queryset = edition.categories.all()
        self.fields["answer"].label = edition.question or _("Answer to the question")
        self.fields["answer"].help_text = _("At most 3000 characters.")
        self.fields["consents"].initial = sorted(consents)
        self.fields["consents"].help_text = _(
            "The first two are needed to take part. The third is your own choice."
        )
        for name in ("title", "summary", "answer"):
            self.fields[name].required = False  # drafts may be incomplete; submit checks
