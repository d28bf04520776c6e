from django.utils.translation import gettext as _
from rest_framework import serializers

from media_pipeline.enums import AssetState, RenditionKind
from prijzen import services
from prijzen.enums import ConsentKind, EntryState
from prijzen.models import Category, Edition, Entry, Initiative


class CategorySerializer(serializers.ModelSerializer):
    class Meta:
        model = Category
        fields = ["id", "slug", "name", "description"]


class EditionSerializer(serializers.ModelSerializer):
    categories = CategorySerializer(many=True, read_only=True)

    class Meta:
        model = Edition
        fields = [
            "id",
            "slug",
            "name",
            "year",
            "theme",
            "question",
            "entries_open_at",
            "entries_close_at",
            "ceremony_at",
            "max_upload_bytes",
            "max_duration_seconds",
            "categories",
        ]


# --- Initiative ----------------------------------------------------------------------------


class InitiativeSerializer(serializers.ModelSerializer):
    """The entrant's initiative. ``province`` follows from ``municipality`` (one of the
    current Dutch municipalities, spelled as in the list on the page)."""

    website = serializers.CharField(
        max_length=200,
        required=False,
        allow_blank=True,
        help_text="A web address; without a scheme, https:// is assumed.",
    )

    class Meta:
        model = Initiative
        fields = [
            "id",
            "name",
            "municipality",
            "province",
            "contact_name",
            "phone",
            "website",
            "description",
            "created_at",
            "updated_at",
        ]
        read_only_fields = ["id", "province", "created_at", "updated_at"]


# --- Entries -------------------------------------------------------------------------------


class InitiativeBriefSerializer(serializers.ModelSerializer):
    class Meta:
        model = Initiative
        fields = ["id", "name", "municipality", "province"]


class EntrySerializer(serializers.ModelSerializer):
    """An entry as its entrant (or an organiser) sees it. The state changes only through the
    actions (submit, withdraw, reopen); the number is given on submission."""

    edition: serializers.SlugRelatedField[Edition] = serializers.SlugRelatedField(
        slug_field="slug", read_only=True
    )
    category: serializers.SlugRelatedField[Category] = serializers.SlugRelatedField(
        slug_field="slug", read_only=True
    )
    initiative = InitiativeBriefSerializer(read_only=True)
    in_review = serializers.BooleanField(
        read_only=True, help_text="A jury round that has this entry is open."
    )
    outcome = serializers.SerializerMethodField(
        help_text="winner, nominee or not_selected once the edition's results are published; "
        "null before (the embargo)."
    )
    vlog_state = serializers.SerializerMethodField(
        help_text="State of the current vlog (null: none yet). Details: GET .../vlog/."
    )
    consents = serializers.SerializerMethodField(
        help_text="The consents given now: privacy and people are needed to submit; "
        "publication (the public gallery) is a free choice."
    )
    missing = serializers.SerializerMethodField(
        help_text="What is still needed before the entry can be submitted (for people)."
    )

    class Meta:
        model = Entry
        fields = [
            "id",
            "number",
            "edition",
            "category",
            "initiative",
            "title",
            "summary",
            "answer",
            "state",
            "in_review",
            "outcome",
            "submitted_at",
            "vlog_state",
            "consents",
            "missing",
            "created_at",
            "updated_at",
        ]
        read_only_fields = fields

    def get_outcome(self, entry) -> str | None:
        return getattr(entry, "outcome", "") or None

    def get_vlog_state(self, entry) -> str | None:
        return entry.vlog.state if entry.vlog_id else None

    def get_consents(self, entry) -> list[str]:
        return sorted(services.active_consents(entry))

    def get_missing(self, entry) -> list[str]:
        if entry.state != EntryState.DRAFT:
            return []
        return [str(m) for m in services.missing_for_submission(entry)]


class ConsentsField(serializers.ListField):
    child = serializers.ChoiceField(choices=ConsentKind.choices)

    def __init__(self, **kwargs):
        kwargs.setdefault(
            "help_text",
            "The consents that are given, all of them (a kind left out is withdrawn): "
            "privacy and people are needed to submit; publication is a free choice.",
        )
        super().__init__(**kwargs)

    def to_internal_value(self, data):
        values = super().to_internal_value(data)
        if len(set(values)) != len(values):
            raise serializers.ValidationError(_("Give each consent once."))
        return set(values)


class EntryCreateSerializer(serializers.Serializer):
    """A new draft entry for the user's initiative, while the edition's window is open."""

    edition = serializers.SlugRelatedField(slug_field="slug", queryset=Edition.objects.all())
    category = serializers.SlugField(help_text="The slug of one of the edition's categories.")
    title = serializers.CharField(max_length=120, required=False, allow_blank=True)
    summary = serializers.CharField(max_length=500, required=False, allow_blank=True)
    answer = serializers.CharField(max_length=3000, required=False, allow_blank=True)
    consents = ConsentsField(required=False)

    def validate(self, data):
        category = Category.objects.filter(edition=data["edition"], slug=data["category"]).first()
        if category is None:
            raise serializers.ValidationError({"category": [_("Choose a category.")]})
        return {**data, "category": category}


class EntryUpdateSerializer(serializers.Serializer):
    """Change a draft or submitted entry until the deadline (same rules as the edit page:
    a submitted entry must stay complete). Only the fields sent change."""

    category = serializers.SlugField(
        required=False, help_text="The slug of one of the edition's categories."
    )
    title = serializers.CharField(max_length=120, required=False, allow_blank=True)
    summary = serializers.CharField(max_length=500, required=False, allow_blank=True)
    answer = serializers.CharField(max_length=3000, required=False, allow_blank=True)
    consents = ConsentsField(required=False)

    def validate(self, data):
        if not data:
            raise serializers.ValidationError(_("Send at least one field to change."))
        if "category" in data:
            entry = self.context["entry"]
            category = Category.objects.filter(
                edition_id=entry.edition_id, slug=data["category"]
            ).first()
            if category is None:
                raise serializers.ValidationError({"category": [_("Choose a category.")]})
            data["category"] = category
        return data


class PosterMomentSerializer(serializers.Serializer):
    at_seconds = serializers.DecimalField(
        max_digits=8,
        decimal_places=3,
        min_value=0,
        help_text="The moment of the vlog (seconds from the start) that becomes its picture.",
    )


class GalleryApprovalSerializer(serializers.Serializer):
    approved = serializers.BooleanField(
        help_text="true: approved for the public gallery; false: take the approval back."
    )


class PublicationConsentSerializer(serializers.Serializer):
    given = serializers.BooleanField(
        help_text="true: the vlog may be shown in the public gallery; false: withdraw that."
    )


# --- Vlog status -----------------------------------------------------------------------------


class VlogAssetSerializer(serializers.Serializer):
    uid = serializers.UUIDField()
    state = serializers.ChoiceField(choices=AssetState.choices)
    state_label = serializers.CharField(help_text="The state for people, in your language.")
    final = serializers.BooleanField(help_text="Processing has ended (ready, or stopped).")
    progress = serializers.IntegerField(help_text="Percent done of the current step.")
    error_code = serializers.CharField(allow_blank=True)
    error_message = serializers.CharField(
        allow_blank=True, help_text="Why it was rejected or failed, for people."
    )
    duration = serializers.DecimalField(max_digits=10, decimal_places=3, allow_null=True)
    width = serializers.IntegerField(allow_null=True)
    height = serializers.IntegerField(allow_null=True)
    renditions = serializers.ListField(
        child=serializers.ChoiceField(choices=RenditionKind.choices),
        help_text="The outputs that are ready (preview, poster, thumbnail, storyboard).",
    )
    preview_url = serializers.URLField(
        allow_null=True, help_text="Presigned; expires (S3_PRESIGNED_TTL). Only when ready."
    )
    poster_url = serializers.URLField(allow_null=True, help_text="Presigned, like preview_url.")


class VlogStatusSerializer(serializers.Serializer):
    current = VlogAssetSerializer(
        allow_null=True, help_text="The vlog the entry has now (null: none yet)."
    )
    pending = VlogAssetSerializer(
        allow_null=True,
        help_text="A new upload being processed; it replaces `current` once it is ready.",
    )
