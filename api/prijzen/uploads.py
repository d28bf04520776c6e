"""The entry's vlog upload, as the site's JavaScript (or any client) drives it:
start → sign parts (in batches) → PUT parts straight to storage → complete (or cancel);
list parts to resume after a reload or a network drop."""

from __future__ import annotations

from django.http import Http404
from django.shortcuts import get_object_or_404
from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.response import Response
from rest_framework.throttling import UserRateThrottle
from rest_framework.views import APIView

from common.api import errors, throttles
from media_pipeline import uploads
from media_pipeline.enums import AssetState
from media_pipeline.models import MediaAsset
from prijzen import selectors, services
from prijzen.models import Entry


class UploadStartThrottle(UserRateThrottle):
    scope = "upload_start"


class StartSerializer(serializers.Serializer):
    filename = serializers.CharField(max_length=255)
    size = serializers.IntegerField(min_value=0)
    content_type = serializers.CharField(max_length=100, allow_blank=True, required=False)


class SignSerializer(serializers.Serializer):
    part_numbers = serializers.ListField(
        child=serializers.IntegerField(min_value=1),
        min_length=1,
        max_length=uploads.SIGN_BATCH_MAX,
    )


class UploadSerializer(serializers.Serializer):
    uid = serializers.UUIDField()
    state = serializers.CharField()
    size = serializers.IntegerField(source="size_bytes")
    part_size = serializers.IntegerField()
    part_count = serializers.SerializerMethodField()
    progress = serializers.IntegerField()
    error_message = serializers.CharField()

    def get_part_count(self, asset) -> int:
        return uploads.part_count(asset)


class PartSerializer(serializers.Serializer):
    part_number = serializers.IntegerField()
    size = serializers.IntegerField()
    etag = serializers.CharField()


class PartsSerializer(serializers.Serializer):
    parts = PartSerializer(many=True)


class SignedSerializer(serializers.Serializer):
    urls = serializers.DictField(child=serializers.URLField())


def _entry(request, pk: int) -> Entry:
    return get_object_or_404(selectors.entries_of_entrant(request.user), pk=pk)


def _pending(request, pk: int, uid) -> tuple[Entry, MediaAsset]:
    """The entry and its upload in progress; 404 when either is not the user's."""
    entry = _entry(request, pk)
    if entry.pending_vlog is None or entry.pending_vlog.uid != uid:
        raise Http404
    return entry, entry.pending_vlog


class StartUpload(APIView):
    throttle_classes = throttles(UploadStartThrottle)

    @extend_schema(
        summary="Start uploading the entry's vlog",
        description="Checks the file's name, type and size against the edition's limits and "
        "starts a multipart upload in object storage. The current vlog stays until the new "
        "one is ready; an unfinished earlier upload is cancelled. Throttled per user "
        "(scope `upload_start`).",
        request=StartSerializer,
        responses={201: UploadSerializer, **errors(400, 404, 415, 503)},
    )
    def post(self, request, pk: int):
        entry = _entry(request, pk)
        data = StartSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        asset = services.start_vlog_upload(
            entry=entry,
            actor=request.user,
            filename=data.validated_data["filename"],
            size=data.validated_data["size"],
            content_type=data.validated_data.get("content_type", ""),
        )
        return Response(UploadSerializer(asset).data, status=201)


class UploadDetail(APIView):
    @extend_schema(
        summary="The upload and its processing state",
        responses={200: UploadSerializer, **errors(404)},
    )
    def get(self, request, pk: int, uid):
        asset = _pending(request, pk, uid)[1]
        return Response(UploadSerializer(asset).data)

    @extend_schema(
        summary="Cancel the upload",
        description="Aborts the multipart upload (its parts are deleted). Not while it is "
        "being completed.",
        request=None,
        responses={200: UploadSerializer, **errors(400, 404, 409, 503)},
    )
    def delete(self, request, pk: int, uid):
        asset = _pending(request, pk, uid)[1]
        asset = uploads.cancel_upload(asset=asset, actor=request.user)
        return Response(UploadSerializer(asset).data)


class SignParts(APIView):
    @extend_schema(
        summary="Presigned URLs for a batch of parts",
        description="Up to 100 part numbers at a time. PUT each part's bytes to its URL and "
        "keep nothing else: the server lists the parts itself on completion.",
        request=SignSerializer,
        responses={200: SignedSerializer, **errors(400, 404, 415, 503)},
    )
    def post(self, request, pk: int, uid):
        asset = _pending(request, pk, uid)[1]
        data = SignSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        urls = uploads.sign_parts(asset=asset, part_numbers=data.validated_data["part_numbers"])
        return Response({"urls": {str(n): url for n, url in urls.items()}})


class ListParts(APIView):
    @extend_schema(
        summary="Parts already in storage (to resume)",
        responses={200: PartsSerializer, **errors(404, 503)},
    )
    def get(self, request, pk: int, uid):
        asset = _pending(request, pk, uid)[1]
        return Response({"parts": PartSerializer(uploads.list_parts(asset), many=True).data})


class CompleteUpload(APIView):
    @extend_schema(
        summary="Finish the upload; the server checks it",
        description="The server checks that every part arrived, the total size and that the "
        "file starts like a video, then queues the processing (poll GET .../vlog/). "
        "Completing twice is harmless. Allowed until the deadline plus the edition's grace "
        "period for uploads started before the deadline.",
        request=None,
        responses={200: UploadSerializer, **errors(400, 404, 409, 503)},
    )
    def post(self, request, pk: int, uid):
        entry, asset = _pending(request, pk, uid)
        if asset.state != AssetState.AWAITING_UPLOAD:
            return Response(UploadSerializer(asset).data)  # completed already: idempotent
        services.check_upload_deadline(asset, entry)
        asset = uploads.complete_upload(asset=asset, actor=request.user)
        return Response(UploadSerializer(asset).data)
