from __future__ import annotations

from collections.abc import Set
from typing import cast

from django import forms
from django.utils.translation import gettext_lazy as _

from common.forms import DutchForm, moment_field
from media_pipeline.enums import AssetState
from prijzen.consents import DEFAULT_TEXTS
from prijzen.enums import ConsentKind, EntryState, WordingKind
from prijzen.models import Category, Edition, Entry, Initiative
from prijzen.municipalities import grouped_choices, provinces_by_municipality
from prijzen.wordings import current_wordings


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
        cast(forms.ChoiceField, self.fields["municipality"]).choices = [
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

    def __init__(
        self, *args, edition, consents: set[str], outdated: Set[str] = frozenset(), **kwargs
    ):
        super().__init__(*args, **kwargs)
        changed = _("(this text has changed: read it and tick it again)")
        texts = {kind: wording.text for kind, wording in current_wordings(edition).items()}
        cast(forms.ChoiceField, self.fields["consents"]).choices = [
            (kind, f"{texts[kind]} {changed}" if kind in outdated else texts[kind])
            for kind in ConsentKind.values
        ]
        consents = set(consents) - set(outdated)
        cast(forms.ModelChoiceField, self.fields["category"]).queryset = edition.categories.all()
        self.fields["answer"].label = edition.question or _("Answer to the question")
        self.fields["answer"].help_text = _("At most 3000 characters.")
        self.fields["consents"].initial = sorted(consents)
        self.fields["consents"].help_text = _(
            "The first two are needed to take part. The third is your own choice."
        )
        for name in ("title", "summary", "answer"):
            self.fields[name].required = False  # drafts may be incomplete; submit checks


# --- Organisers: an edition and its categories ------------------------------------------------


def wording_field(kind: str) -> str:
    return f"text_{kind}"


class EditionForm(DutchForm, forms.ModelForm):
    entries_open_at = moment_field(_("Entries open"))
    entries_close_at = moment_field(_("Entries close"))
    ceremony_at = moment_field(_("Ceremony (optional)"), required=False)
    max_upload_mb = forms.IntegerField(
        label=_("Largest vlog (MB)"),
        min_value=10,
        max_value=20_000,
        initial=2048,
        error_messages={"required": _("Fill in the largest size of a vlog.")},
    )

    class Meta:
        model = Edition
        fields = [
            "name",
            "slug",
            "year",
            "theme",
            "question",
            "entries_open_at",
            "entries_close_at",
            "upload_grace_minutes",
            "ceremony_at",
            "max_duration_seconds",
            "entries_per_initiative",
            "gallery_review",
        ]
        labels = {
            "name": _("Name"),
            "slug": _("Short name in addresses"),
            "year": _("Year"),
            "theme": _("Theme (optional)"),
            "question": _("Question for the entrants (optional)"),
            "upload_grace_minutes": _("Grace period for uploads (minutes)"),
            "max_duration_seconds": _("Longest vlog (seconds)"),
            "entries_per_initiative": _("Entries per initiative"),
            "gallery_review": _("Organisers approve each entry before it shows in the gallery"),
        }
        help_texts = {
            "slug": _(
                "Lower-case letters, digits and hyphens, for example vrijwilligersprijzen-2027."
            ),
            "upload_grace_minutes": _(
                "An upload that started before the deadline may finish "
                "within this time; the entry can then still be submitted."
            ),
        }
        widgets = {"question": forms.Textarea(attrs={"rows": 3})}
        error_messages = {
            "name": {"required": _("Fill in the name of the edition.")},
            "slug": {
                "required": _("Fill in a short name."),
                "invalid": _("Use only lower-case letters, digits and hyphens."),
                "unique": _("Another edition already has this short name."),
            },
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        labels = {
            WordingKind.PRIVACY: _("Consent: privacy statement"),
            WordingKind.PEOPLE: _("Consent: permission of the people in the vlog"),
            WordingKind.PUBLICATION: _("Consent: the public gallery (the entrants' own choice)"),
            WordingKind.JURY_TERMS: _("Confidentiality terms of the jury"),
        }
        current = current_wordings(self.instance) if self.instance.pk else {}
        for kind, label in labels.items():
            self.fields[wording_field(kind)] = forms.CharField(
                label=label,
                max_length=2000,
                widget=forms.Textarea(attrs={"rows": 2}),
                initial=current[kind].text if current else DEFAULT_TEXTS[kind],
                help_text=_("A changed text is asked again of everyone who agreed to the old one."),
                error_messages={"required": _("Fill in the text people agree to.")},
            )
        if self.instance.pk:
            self.fields["max_upload_mb"].initial = self.instance.max_upload_bytes // 1024**2
        else:
            self.fields["gallery_review"].initial = True  # a new edition: review first
        self.fields["year"].widget.attrs.update(min=2000, max=2100)

    def detail_fields(self):
        return [field for field in self if not field.name.startswith("text_")]

    def text_fields(self):
        return [self[wording_field(kind)] for kind in WordingKind.values]

    def wording_texts(self) -> dict[str, str]:
        return {kind: self.cleaned_data[wording_field(kind)] for kind in WordingKind.values}

    def clean(self):
        super().clean()
        data = self.cleaned_data
        opens, closes = data.get("entries_open_at"), data.get("entries_close_at")
        if opens and closes and closes <= opens:
            self.add_error("entries_close_at", _("Entries must close after they open."))
        ceremony = data.get("ceremony_at")
        if ceremony and closes and ceremony < closes:
            self.add_error("ceremony_at", _("The ceremony comes after entries close."))
        year = data.get("year")
        if year is not None and not 2000 <= year <= 2100:
            self.add_error("year", _("Fill in a year between 2000 and 2100."))
        return data


class CategoryForm(DutchForm, forms.ModelForm):
    class Meta:
        model = Category
        fields = ["name", "slug", "description", "position"]
        labels = {
            "name": _("Name"),
            "slug": _("Short name in addresses"),
            "description": _("Description (optional)"),
            "position": _("Order"),
        }
        widgets = {"description": forms.Textarea(attrs={"rows": 2})}
        error_messages = {
            "name": {"required": _("Fill in the name of the category.")},
            "slug": {
                "required": _("Fill in a short name."),
                "invalid": _("Use only lower-case letters, digits and hyphens."),
            },
        }


class EntryFilterForm(DutchForm, forms.Form):
    """The organisers' entries list of an edition: search and filters (all optional)."""

    q = forms.CharField(
        label=_("Search (title, initiative, number)"), required=False, max_length=100
    )
    category = forms.ChoiceField(label=_("Category"), required=False)
    state = forms.ChoiceField(label=_("State"), required=False)
    vlog = forms.ChoiceField(label=_("Vlog"), required=False)
    province = forms.ChoiceField(label=_("Province"), required=False)

    def __init__(self, *args, edition, **kwargs):
        super().__init__(*args, **kwargs)
        everything = [("", _("All"))]
        cast(forms.ChoiceField, self.fields["category"]).choices = everything + [
            (c.slug, c.name) for c in edition.categories.all()
        ]
        cast(forms.ChoiceField, self.fields["state"]).choices = everything + list(
            EntryState.choices
        )
        cast(forms.ChoiceField, self.fields["vlog"]).choices = everything + list(AssetState.choices)
        provinces = sorted(set(provinces_by_municipality().values()))
        cast(forms.ChoiceField, self.fields["province"]).choices = everything + [
            (p, p) for p in provinces
        ]
