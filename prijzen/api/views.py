from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import permissions, viewsets

from prijzen import selectors
from prijzen.api.serializers import EditionSerializer


@extend_schema_view(
    list=extend_schema(summary="List editions with their categories"),
    retrieve=extend_schema(summary="One edition with its categories"),
)
class EditionViewSet(viewsets.ReadOnlyModelViewSet):
    serializer_class = EditionSerializer
    permission_classes = [permissions.AllowAny]
    lookup_field = "slug"

    def get_queryset(self):
        return selectors.editions()
