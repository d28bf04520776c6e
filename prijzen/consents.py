"""The texts a new edition starts with: the entrants' consents and the jury's confidentiality
terms. Organisers change them per edition on the edition page; every change is a new stored
version (``prijzen.wordings``), so what someone agreed to stays on record word for word."""

from django.utils.translation import gettext_lazy as _

from prijzen.enums import WordingKind

DEFAULT_TEXTS = {
    WordingKind.PRIVACY: _(
        "I have read the privacy statement. The organisers use our data only for the prize."
    ),
    WordingKind.PEOPLE: _("Everyone who can be seen or heard in the vlog agrees to take part."),
    WordingKind.PUBLICATION: _(
        "The vlog may be shown in the public gallery, also after the prize. "
        "We can withdraw this at any moment."
    ),
    WordingKind.JURY_TERMS: _(
        "I keep everything I see and read as a jury member to myself, and I report a "
        "conflict of interest as soon as I notice one."
    ),
}
