"""The consent texts an entrant agrees to. Change a text: raise its version, so every recorded
consent keeps pointing at the wording that was shown."""

from django.utils.translation import gettext_lazy as _

from prijzen.enums import ConsentKind

CONSENT_TEXTS = {
    ConsentKind.PRIVACY: (
        "2021-1",
        _("I have read the privacy statement. The organisers use our data only for the prize."),
    ),
    ConsentKind.PEOPLE: (
        "2021-1",
        _("Everyone who can be seen or heard in the vlog agrees to take part."),
    ),
    ConsentKind.PUBLICATION: (
        "2021-1",
        _(
            "The vlog may be shown in the public gallery, also after the prize. "
            "We can withdraw this at any moment."
        ),
    ),
}
