"""Who the client is, and with which token (``/api/v1/me/``)."""

from __future__ import annotations

from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.response import Response
from rest_framework.views import APIView

from common.api import errors
from common.models import ApiToken, User


class TokenInfoSerializer(serializers.ModelSerializer):
    class Meta:
        model = ApiToken
        fields = ["name", "prefix", "scope", "created_at", "expires_at"]


class MeSerializer(serializers.ModelSerializer):
    is_organiser = serializers.BooleanField(read_only=True)
    token = serializers.SerializerMethodField()

    class Meta:
        model = User
        fields = ["id", "email", "name", "role", "is_organiser", "token"]

    def get_token(self, user) -> TokenInfoSerializer(allow_null=True):  # type: ignore[valid-type]
        token = self.context.get("token")
        return TokenInfoSerializer(token).data if isinstance(token, ApiToken) else None


class MeView(APIView):
    @extend_schema(
        summary="Who you are (and the token you use)",
        description="The signed-in user. `token` describes the API token of this request "
        "(null for the site's own session). Handy to check a new token.",
        responses={200: MeSerializer, **errors()},
    )
    def get(self, request):
        return Response(MeSerializer(request.user, context={"token": request.auth}).data)
