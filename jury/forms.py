from typing import cast

from django import forms
from django.utils.translation import gettext_lazy as _

from common.forms import DutchForm, moment_field
from jury.compute.rankings.common import METHOD_LABELS
from jury.enums import RoundState, TieKind
from jury.models import Conflict, Criterion, Round
from prijzen.enums import WordingKind
from prijzen.wordings import current_wording


class AcceptInvitationForm(forms.Form):
    """The edition's confidentiality terms (their current wording) to tick."""

    terms = forms.BooleanField(
        error_messages={"required": _("Accept the confidentiality terms to take part.")},
    )

    def __init__(self, *args, edition, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["terms"].label = current_wording(edition, WordingKind.JURY_TERMS).text


class ConflictForm(forms.Form):
    reason = forms.CharField(
        label=_("Why can you not judge this entry fairly?"),
        max_length=Conflict._meta.get_field("reason").max_length,
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


# --- Organisers: a round and its rubric -------------------------------------------------------

# What stays fixed once a round has opened: changing it while jury members score would change
# what they judge, what they see or how the result is counted.
FIXED_ONCE_OPEN = (
    "kind",
    "category",
    "source_round",
    "jurors_per_entry",
    "score_visibility",
    "hide_entrant_names",
    "min_watch_share",
    "geography_rule",
    "official_method",
    "opens_at",
)


class RoundForm(DutchForm, forms.ModelForm):
    opens_at = moment_field(_("Scoring opens"))
    closes_at = moment_field(_("Deadline for the jury"))
    official_method = forms.ChoiceField(
        label=_("Official ranking method"),
        choices=[(m, label) for m, label in METHOD_LABELS.items()],
        help_text=_(
            "How the scores become the official order. The ranking page shows the "
            "other methods beside it."
        ),
    )

    class Meta:
        model = Round
        fields = [
            "name",
            "kind",
            "category",
            "source_round",
            "opens_at",
            "closes_at",
            "jurors_per_entry",
            "score_visibility",
            "hide_entrant_names",
            "min_watch_share",
            "geography_rule",
            "official_method",
            "reminder_days_before",
        ]
        labels = {
            "name": _("Name"),
            "kind": _("Kind"),
            "category": _("Category (empty: all)"),
            "source_round": _("Judges the shortlist of (optional)"),
            "jurors_per_entry": _("Jury members per entry"),
            "score_visibility": _("Jury members see each other's scores"),
            "hide_entrant_names": _("Hide the names of entrants and initiatives"),
            "min_watch_share": _("Share of the vlog to watch before submitting (0 to 1, optional)"),
            "geography_rule": _("Conflicts of interest by place"),
            "reminder_days_before": _("Remind jury members days before the deadline (0: never)"),
        }
        error_messages = {"name": {"required": _("Fill in the name of the round.")}}

    def __init__(self, *args, edition, **kwargs):
        super().__init__(*args, **kwargs)
        self.instance.edition = edition
        cast(forms.ModelChoiceField, self.fields["category"]).queryset = edition.categories.all()
        rounds = (
            edition.rounds.exclude(pk=self.instance.pk)
            if self.instance.pk
            else edition.rounds.all()
        )
        cast(forms.ModelChoiceField, self.fields["source_round"]).queryset = rounds
        self.fields["jurors_per_entry"].widget.attrs.update(min=1, max=20)
        if self.instance.pk and self.instance.state != RoundState.DRAFT:
            for name in FIXED_ONCE_OPEN:
                self.fields[name].disabled = True
                self.fields[name].help_text = _("Fixed: the round has opened.")

    def clean(self):
        super().clean()
        data = self.cleaned_data
        opens, closes = data.get("opens_at"), data.get("closes_at")
        if opens and closes and closes <= opens:
            self.add_error("closes_at", _("The deadline comes after scoring opens."))
        share = data.get("min_watch_share")
        if share is not None and not 0 <= share <= 1:
            self.add_error("min_watch_share", _("Fill in a share between 0 and 1, such as 0.8."))
        source = data.get("source_round")
        if source is not None and self.instance.pk and source.source_round_id == self.instance.pk:
            self.add_error("source_round", _("That round judges this round's shortlist."))
        k = data.get("jurors_per_entry")
        if k is not None and not 1 <= k <= 20:
            self.add_error("jurors_per_entry", _("Choose between 1 and 20 jury members."))
        return data


class CriterionForm(DutchForm, forms.ModelForm):
    """One criterion of the rubric, with one text field per level (the score's meaning)."""

    class Meta:
        model = Criterion
        fields = [
            "name_nl",
            "name_en",
            "description",
            "weight",
            "scale_min",
            "scale_max",
            "step",
            "required",
            "counted",
            "position",
        ]
        labels = {
            "name_nl": _("Name (Dutch)"),
            "name_en": _("Name (English)"),
            "description": _("What the jury looks at (optional)"),
            "weight": _("Weight"),
            "scale_min": _("Lowest score"),
            "scale_max": _("Highest score"),
            "step": _("Step"),
            "required": _("Required"),
            "counted": _("Counts in the total"),
            "position": _("Order"),
        }
        widgets = {"description": forms.Textarea(attrs={"rows": 2})}
        error_messages = {
            "name_nl": {"required": _("Fill in the Dutch name.")},
            "name_en": {"required": _("Fill in the English name.")},
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        low, high = self.instance.scale_min, self.instance.scale_max
        if self.is_bound:  # a scale changed in the same request has fields for its levels too
            wanted = (self.data.get("scale_min"), self.data.get("scale_max"))
            if all(str(v).lstrip("-").isdigit() for v in wanted):
                low, high = min(low, int(str(wanted[0]))), max(high, int(str(wanted[1])))
        for level in range(low, high + 1) if high - low <= 20 else ():
            self.fields[f"anchor_{level}"] = forms.CharField(
                label=_("Meaning of %(level)s (optional)") % {"level": level},
                required=False,
                max_length=300,
                initial=(self.instance.anchors or {}).get(str(level), ""),
            )

    def clean(self):
        super().clean()
        data = self.cleaned_data
        low, high, step = data.get("scale_min"), data.get("scale_max"), data.get("step")
        if low is not None and high is not None and high <= low:
            self.add_error("scale_max", _("The highest score is above the lowest."))
        elif low is not None and high is not None and high - low > 100:
            self.add_error("scale_max", _("Use a scale of at most 100 steps."))
        weight = data.get("weight")
        if weight is not None and weight <= 0:
            self.add_error("weight", _("The weight is more than 0."))
        if step is not None and (
            step <= 0 or (low is not None and high is not None and step > high - low)
        ):
            self.add_error("step", _("The step is more than 0 and fits in the scale."))
        return data

    def anchors(self) -> dict[str, str]:
        """The level texts that were filled in and lie inside the (new) scale."""
        low, high = self.cleaned_data["scale_min"], self.cleaned_data["scale_max"]
        return {
            name.removeprefix("anchor_"): text.strip()
            for name, text in self.cleaned_data.items()
            if name.startswith("anchor_")
            and text.strip()
            and low <= int(name.removeprefix("anchor_")) <= high
        }
