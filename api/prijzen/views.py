from typing import cast

from django.shortcuts import get_object_or_404
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import permissions, serializers, viewsets
from rest_framework.response import Response
from rest_framework.settings import api_settings
from rest_framework.views import APIView

from api.prijzen import setup
from api.prijzen.results import IsOrganiser
from api.prijzen.serializers import EditionSerializer
from common.api import FilterSet, IdFilter, errors
from prijzen import selectors
from prijzen.models import Edition
from results import decisions


class EditionFilter(FilterSet):
    year = IdFilter(help_text="The edition's year.")

    class Meta:
        model = Edition
        fields = ["year"]


@extend_schema_view(
    list=extend_schema(summary="List editions with their categories"),
    retrieve=extend_schema(
        summary="One edition with its categories",
        responses={200: EditionSerializer, **errors(404)},
    ),
)
class EditionViewSet(viewsets.ReadOnlyModelViewSet):
    """Public to read; organisers make and change editions."""

    serializer_class = EditionSerializer
    permission_classes = [permissions.AllowAny]
    lookup_field = "slug"
    filterset_class = EditionFilter
    ordering_fields = ["year", "name", "entries_close_at"]

    def get_queryset(self):
        return selectors.editions()

    def get_permissions(self):
        """Writes need a signed-in caller (and a read-write token); who may write is
        ``api.prijzen.setup.save_edition``'s check."""
        if self.action in ("create", "partial_update"):
            defaults = cast(
                "list[type[permissions.BasePermission]]", api_settings.DEFAULT_PERMISSION_CLASSES
            )
            return [permission() for permission in defaults]
        return super().get_permissions()

    @setup.EDITION_CREATE
    def create(self, request):
        return setup.save_edition(request, None)

    @setup.EDITION_UPDATE
    def partial_update(self, request, slug=None):
        return setup.save_edition(request, get_object_or_404(Edition, slug=slug))


class JurySecondFactorSerializer(serializers.Serializer):
    edition = serializers.CharField(source="slug", read_only=True)
    jury_second_factor = serializers.BooleanField(
        help_text="Whether the jury members of this edition need two-step sign-in (organisers "
        "always do)."
    )


class JurySecondFactor(APIView):
    """Whether jury members of an edition sign in in two steps (organisers)."""

    permission_classes = [IsOrganiser]
    http_method_names = ["post", "options"]

    @extend_schema(
        summary="Ask the jury members of an edition for two-step sign-in, or stop (organisers)",
        request=JurySecondFactorSerializer,
        responses={200: JurySecondFactorSerializer, **errors(400, 404, 415)},
    )
    def post(self, request, slug: str):
        edition = get_object_or_404(Edition, slug=slug)
        data = JurySecondFactorSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        edition = decisions.set_jury_second_factor(
            edition=edition, value=data.validated_data["jury_second_factor"], actor=request.user
        )
        return Response(JurySecondFactorSerializer(edition).data)
