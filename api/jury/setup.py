"""Setting up rounds and their rubrics through the API (organisers), as the round pages do
it: the page's own form checks the input (``validated_form``: the object's current values
with the request's fields on top) and the same service saves it. The request serializers
describe and type-check the input for the schema; the rules (dates in order, a weight above
0, what stays fixed once a round has opened) are the forms' and services'."""

from __future__ import annotations

from typing import cast

from django import forms
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.exceptions import ValidationError
from rest_framework.response import Response
from rest_framework.views import APIView

from api.jury.serializers import CriterionSerializer, RoundSerializer
from common.api import errors, validated_form
from common.http import require_organiser
from jury import selectors
from jury import setup as jury_setup
from jury.forms import CriterionForm, RoundForm
from jury.models import Criterion, Round
from prijzen.models import Edition


def _payload(serializer: serializers.Serializer) -> dict:
    """The request's fields after the serializer's type checks, as the form's fields: the
    level anchors become the form's flat fields."""
    serializer.is_valid(raise_exception=True)
    payload = dict(serializer.validated_data)
    for level, text in payload.pop("anchors", {}).items():
        payload[f"anchor_{level}"] = text
    return payload


# --- Rounds and rubrics -----------------------------------------------------------------------


def _official_method_field() -> forms.ChoiceField:
    return cast(forms.ChoiceField, RoundForm.base_fields["official_method"])


class RoundWriteSerializer(serializers.ModelSerializer):
    edition = serializers.SlugRelatedField(
        slug_field="slug",
        queryset=Edition.objects.all(),
        help_text="The edition's short name (only when making a round).",
    )
    official_method = serializers.ChoiceField(
        choices=cast("list[tuple[str, str]]", _official_method_field().choices)
    )

    class Meta:
        model = Round
        fields = ["edition", *RoundForm.Meta.fields]


def save_round(request, round_: Round | None) -> Response:
    require_organiser(request.user)
    body = RoundWriteSerializer(data=request.data, partial=round_ is not None)
    payload = _payload(body)
    edition = payload.pop("edition", None)
    if round_:
        edition = round_.edition
    form = validated_form(RoundForm, payload, instance=round_, edition=edition)
    saved = jury_setup.save_round(form=form, actor=request.user)
    code = status.HTTP_200_OK if round_ else status.HTTP_201_CREATED
    return Response(RoundSerializer(saved).data, status=code)


ROUND_CREATE = extend_schema(
    summary="Make a round in preparation (organisers)",
    description='As the "New round" page: kind, category (id; empty: all), dates, jury '
    "members per entry, score visibility, anonymity, watch minimum, place rule, official "
    "method, and the round whose shortlist it judges (id). Open it with `/open/` when its "
    "rubric, jury and assignment are ready.",
    request=RoundWriteSerializer,
    responses={201: RoundSerializer, **errors(400, 415)},
)
ROUND_UPDATE = extend_schema(
    summary="Change a round's settings (organisers)",
    description="Only the fields sent change; `edition` cannot. Once the round has opened, "
    "what the jury scores by stays as it is (kind, category, dates it opened, anonymity, "
    "method and the like): those fields are kept.",
    request=RoundWriteSerializer,
    responses={200: RoundSerializer, **errors(400, 404, 415)},
)


class CriterionWriteSerializer(serializers.ModelSerializer):
    anchors = serializers.DictField(
        child=serializers.CharField(max_length=300, allow_blank=True),
        required=False,
        help_text="What a score means, by level (the level as a string, inside the scale).",
    )

    class Meta:
        model = Criterion
        fields = [*CriterionForm.Meta.fields, "anchors"]


def _criterion_form(payload: dict, criterion: Criterion | None = None) -> CriterionForm:
    """The criterion form; a level text outside the (new) scale is refused, not dropped."""
    form = validated_form(CriterionForm, payload, instance=criterion)
    low, high = form.cleaned_data["scale_min"], form.cleaned_data["scale_max"]
    levels = [
        name.removeprefix("anchor_")
        for name, text in payload.items()
        if name.startswith("anchor_") and text
    ]
    outside = sorted(
        level for level in levels if not (level.isdigit() and low <= int(level) <= high)
    )
    if outside:
        message = _("Levels outside the scale %(low)s to %(high)s: %(levels)s.") % {
            "low": low,
            "high": high,
            "levels": ", ".join(outside),
        }
        raise ValidationError({"anchors": [message]})
    return form


class RoundCriteria(APIView):
    @extend_schema(
        summary="Add a criterion to the round's rubric (organisers)",
        description="Until the first scores are in (then 400, `rubric_locked`).",
        request=CriterionWriteSerializer,
        responses={201: CriterionSerializer, **errors(400, 404, 415)},
    )
    def post(self, request, pk: int):
        round_ = selectors.organiser_round(request.user, pk)
        payload = _payload(CriterionWriteSerializer(data=request.data))
        form = _criterion_form(payload)
        criterion = jury_setup.save_criterion(round_=round_, form=form, actor=request.user)
        return Response(CriterionSerializer(criterion).data, status=status.HTTP_201_CREATED)


class CriterionDetail(APIView):
    http_method_names = ["patch", "delete", "options"]

    def _criterion(self, request, pk: int) -> Criterion:
        require_organiser(request.user)
        return get_object_or_404(Criterion.objects.select_related("round"), pk=pk)

    @extend_schema(
        summary="Change a criterion (organisers)",
        request=CriterionWriteSerializer,
        responses={200: CriterionSerializer, **errors(400, 404, 415)},
    )
    def patch(self, request, pk: int):
        criterion = self._criterion(request, pk)
        payload = _payload(CriterionWriteSerializer(data=request.data, partial=True))
        form = _criterion_form(payload, criterion)
        saved = jury_setup.save_criterion(round_=criterion.round, form=form, actor=request.user)
        return Response(CriterionSerializer(saved).data)

    @extend_schema(
        summary="Remove a criterion (organisers)",
        responses={204: None, **errors(400, 404)},
    )
    def delete(self, request, pk: int):
        jury_setup.delete_criterion(criterion=self._criterion(request, pk), actor=request.user)
        return Response(status=status.HTTP_204_NO_CONTENT)


class CopySerializer(serializers.Serializer):
    source = serializers.IntegerField(  # type: ignore[assignment]  # a field, not Field.source
        min_value=1, max_value=2**31 - 1, help_text="The round (of any edition) to copy from."
    )


class CopyRubric(APIView):
    @extend_schema(
        summary="Copy the rubric of an earlier round into this one (organisers)",
        description="Only into a round without criteria (400, `has_rubric`).",
        request=CopySerializer,
        responses={200: CriterionSerializer(many=True), **errors(400, 404, 415)},
    )
    def post(self, request, pk: int):
        target = selectors.organiser_round(request.user, pk)
        body = CopySerializer(data=request.data)
        body.is_valid(raise_exception=True)
        source = get_object_or_404(Round, pk=body.validated_data["source"])
        jury_setup.copy_rubric(source=source, target=target, actor=request.user)
        criteria = target.criteria.order_by("position", "pk")
        return Response(CriterionSerializer(criteria, many=True).data)
