from rest_framework import serializers

from prijzen.models import Category, Edition


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
