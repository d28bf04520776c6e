"""Setting up an edition and its categories through the API (organisers), as the edition
page does it: the page's own form checks the input (``validated_form``: the object's current
values with the request's fields on top) and the same service saves it. The request
serializers describe and type-check the input for the schema; the rules (dates in order, a
short name not taken) are the forms' and services'."""

from __future__ import annotations

from django.shortcuts import get_object_or_404
from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.response import Response
from rest_framework.views import APIView

from api.prijzen.serializers import CategorySerializer, EditionSerializer
from common.api import errors, validated_form
from common.http import require_organiser
from jury import setup as jury_setup
from prijzen import setup as edition_setup
from prijzen.forms import CategoryForm, EditionForm, wording_field
from prijzen.models import Category, Edition


def _payload(serializer: serializers.Serializer) -> dict:
    """The request's fields after the serializer's type checks, as the form's fields: the
    nested texts become the form's flat fields."""
    serializer.is_valid(raise_exception=True)
    payload = dict(serializer.validated_data)
    for kind, text in payload.pop("texts", {}).items():
        payload[wording_field(kind)] = text
    return payload


# --- Editions and categories ------------------------------------------------------------------


class TextsSerializer(serializers.Serializer):
    """The texts people agree to; a changed one is a new version, asked again."""

    privacy = serializers.CharField(max_length=2000, required=False)
    people = serializers.CharField(max_length=2000, required=False)
    publication = serializers.CharField(max_length=2000, required=False)
    jury_terms = serializers.CharField(max_length=2000, required=False)


class EditionWriteSerializer(serializers.ModelSerializer):
    max_upload_mb = serializers.IntegerField(
        min_value=10, max_value=20_000, required=False, help_text="The largest vlog, in MB."
    )
    texts = TextsSerializer(
        required=False,
        help_text="Consents and jury terms (defaults: the texts a new edition starts with).",
    )

    class Meta:
        model = Edition
        fields = [*EditionForm.Meta.fields, "max_upload_mb", "texts"]
        # The form says when the slug is taken.
        extra_kwargs: dict[str, dict[str, object]] = {"slug": {"validators": []}}


def save_edition(request, edition: Edition | None) -> Response:
    require_organiser(request.user)
    body = EditionWriteSerializer(data=request.data, partial=edition is not None)
    form = validated_form(EditionForm, _payload(body), instance=edition)
    saved = jury_setup.save_edition(form=form, actor=request.user)
    code = status.HTTP_200_OK if edition else status.HTTP_201_CREATED
    return Response(EditionSerializer(saved).data, status=code)


EDITION_CREATE = extend_schema(
    summary="Make an edition (organisers)",
    description='As the organisers\' "New edition" page. Times are ISO 8601; without an '
    "offset they are Amsterdam time. Categories and rounds come next.",
    request=EditionWriteSerializer,
    responses={201: EditionSerializer, **errors(400, 415)},
)
EDITION_UPDATE = extend_schema(
    summary="Change an edition (organisers)",
    description="Only the fields sent change. A changed consent text or jury terms is "
    "stored as a new version and asked again of everyone who agreed to the old one.",
    request=EditionWriteSerializer,
    responses={200: EditionSerializer, **errors(400, 404, 415)},
)


class CategoryWriteSerializer(serializers.ModelSerializer):
    class Meta:
        model = Category
        fields = CategoryForm.Meta.fields


class EditionCategories(APIView):
    @extend_schema(
        summary="Add a category to an edition (organisers)",
        request=CategoryWriteSerializer,
        responses={201: CategorySerializer, **errors(400, 404, 415)},
    )
    def post(self, request, slug: str):
        require_organiser(request.user)
        edition = get_object_or_404(Edition, slug=slug)
        payload = _payload(CategoryWriteSerializer(data=request.data))
        form = validated_form(CategoryForm, payload)
        category = edition_setup.save_category(edition=edition, form=form, actor=request.user)
        return Response(CategorySerializer(category).data, status=status.HTTP_201_CREATED)


class CategoryDetail(APIView):
    http_method_names = ["patch", "delete", "options"]

    def _category(self, request, pk: int) -> Category:
        require_organiser(request.user)
        return get_object_or_404(Category.objects.select_related("edition"), pk=pk)

    @extend_schema(
        summary="Rename or reorder a category (organisers)",
        request=CategoryWriteSerializer,
        responses={200: CategorySerializer, **errors(400, 404, 415)},
    )
    def patch(self, request, pk: int):
        category = self._category(request, pk)
        payload = _payload(CategoryWriteSerializer(data=request.data, partial=True))
        form = validated_form(CategoryForm, payload, instance=category)
        saved = edition_setup.save_category(edition=category.edition, form=form, actor=request.user)
        return Response(CategorySerializer(saved).data)

    @extend_schema(
        summary="Remove a category without entries or rounds (organisers)",
        description="A category with entries (`has_entries`) or a round (`has_rounds`) stays: 400.",
        responses={204: None, **errors(400, 404)},
    )
    def delete(self, request, pk: int):
        edition_setup.delete_category(category=self._category(request, pk), actor=request.user)
        return Response(status=status.HTTP_204_NO_CONTENT)
