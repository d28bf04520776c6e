"""A closed round's shortlist through the API (organisers): the same services as the
shortlist page (``jury.shortlists``), so the same rules and the same audit rows."""

from __future__ import annotations

from django.shortcuts import get_object_or_404
from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.response import Response
from rest_framework.views import APIView

from common.api import errors
from jury import selectors, services, shortlists
from jury.models import Shortlisting


class ShortlistingSerializer(serializers.ModelSerializer):
    number = serializers.IntegerField(source="entry.number", read_only=True)
    title = serializers.CharField(source="entry.title", read_only=True)

    class Meta:
        model = Shortlisting
        fields = ["entry", "number", "title", "how", "added_by", "added_at"]
        read_only_fields = fields


class AddSerializer(serializers.Serializer):
    entry = serializers.IntegerField(min_value=1, help_text="Id of an entry the round judged.")


class TopSerializer(serializers.Serializer):
    count = serializers.IntegerField(min_value=1, max_value=10000)


def _listing(round_) -> Response:
    items = Shortlisting.objects.filter(round=round_).select_related("entry")
    return Response(ShortlistingSerializer(items.order_by("entry__number"), many=True).data)


class ShortlistView(APIView):
    @extend_schema(
        summary="The round's shortlist (organisers; private until publication)",
        responses={200: ShortlistingSerializer(many=True), **errors(404)},
    )
    def get(self, request, pk: int):
        return _listing(selectors.organiser_round(request.user, pk))

    @extend_schema(
        summary="Put an entry on the shortlist by hand (organisers)",
        request=AddSerializer,
        responses={201: ShortlistingSerializer(many=True), **errors(400, 404, 415)},
    )
    def post(self, request, pk: int):
        round_ = selectors.organiser_round(request.user, pk)
        data = AddSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        entry = get_object_or_404(services.round_entries(round_), pk=data.validated_data["entry"])
        shortlists.add_to_shortlist(round_=round_, entry=entry, actor=request.user)
        response = _listing(round_)
        response.status_code = status.HTTP_201_CREATED
        return response


class ShortlistTop(APIView):
    @extend_schema(
        summary="Make the top of the frozen official order the shortlist (organisers)",
        request=TopSerializer,
        responses={200: ShortlistingSerializer(many=True), **errors(400, 404, 415)},
    )
    def post(self, request, pk: int):
        round_ = selectors.organiser_round(request.user, pk)
        data = TopSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        shortlists.shortlist_top(
            round_=round_, count=data.validated_data["count"], actor=request.user
        )
        return _listing(round_)


class ShortlistEntry(APIView):
    @extend_schema(
        summary="Take an entry off the shortlist (organisers)",
        responses={204: None, **errors(400, 404)},
    )
    def delete(self, request, pk: int, entry_id: int):
        round_ = selectors.organiser_round(request.user, pk)
        item = get_object_or_404(Shortlisting, round=round_, entry_id=entry_id)
        shortlists.remove_from_shortlist(round_=round_, entry=item.entry, actor=request.user)
        return Response(status=status.HTTP_204_NO_CONTENT)
