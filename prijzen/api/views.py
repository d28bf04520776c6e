import django_filters
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import permissions, viewsets

from common.api import IdFilter, errors
from prijzen import selectors
from prijzen.api.serializers import EditionSerializer
from prijzen.models import Edition


class EditionFilter(django_filters.FilterSet):
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
    serializer_class = EditionSerializer
    permission_classes = [permissions.AllowAny]
    lookup_field = "slug"
    filterset_class = EditionFilter
    ordering_fields = ["year", "name", "entries_close_at"]

    def get_queryset(self):
        return selectors.editions()
