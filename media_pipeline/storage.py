"""Object storage: the S3 API through django-storages and boto3.

The bucket is private. Browsers only ever get short-lived presigned URLs, signed for
``S3_PUBLIC_ENDPOINT_URL`` (the address browsers can reach).
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Any, cast
from urllib.parse import urlsplit

from botocore.config import Config
from botocore.exceptions import ClientError
from django.conf import settings
from django.core.files.storage import default_storage
from storages.backends.s3 import S3Storage


def client_config() -> Config:
    """boto3 settings that work with any S3-compatible server."""
    return Config(
        s3={"addressing_style": settings.S3_ADDRESSING_STYLE},
        signature_version="s3v4",
        request_checksum_calculation="when_required",
        response_checksum_validation="when_required",
        retries={"max_attempts": 5, "mode": "standard"},
        connect_timeout=5,
        read_timeout=60,
    )


class MediaStorage(S3Storage):
    def __init__(self, **options: Any) -> None:
        options.setdefault("client_config", client_config())
        super().__init__(**options)


@lru_cache(maxsize=4)
def _public_storage_for(options: tuple) -> MediaStorage:
    return MediaStorage(**dict(options))


def _public_storage() -> MediaStorage:
    """A storage whose presigned URLs name S3_PUBLIC_ENDPOINT_URL (what browsers can reach)."""
    options = {**settings.STORAGES["default"]["OPTIONS"]}
    options["endpoint_url"] = settings.S3_PUBLIC_ENDPOINT_URL
    options.pop("client_config", None)
    return _public_storage_for(tuple(sorted(options.items())))


def upload_signing_client() -> Any:
    """The boto3 client that signs browser part uploads (for the public endpoint)."""
    return _public_storage().connection.meta.client


def s3_client() -> Any:
    """The boto3 client of the default storage (internal endpoint)."""
    return _default_storage().connection.meta.client


def bucket_name() -> str:
    return _default_storage().bucket_name


def _default_storage() -> MediaStorage:
    # STORAGES["default"] is a MediaStorage (config.settings); Django types it as any Storage.
    return cast(MediaStorage, default_storage)


def presigned_url(
    key: str, *, download_name: str | None = None, content_type: str | None = None
) -> str:
    """A short-lived GET URL for ``key`` that a browser can use (range requests work).
    With ``download_name`` the object is served as an attachment under that name (the caller
    makes the name: never a user's), with ``content_type`` under that type."""
    params = {}
    if download_name:
        params["ResponseContentDisposition"] = f'attachment; filename="{download_name}"'
    if content_type:
        params["ResponseContentType"] = content_type
    return _public_storage().url(key, parameters=params or None, expire=settings.S3_PRESIGNED_TTL)


def read_head(key: str, length: int = 64) -> bytes:
    """The first ``length`` bytes of an object (to sniff its container); nothing when the
    object is missing or empty."""
    try:
        found = s3_client().get_object(Bucket=bucket_name(), Key=key, Range=f"bytes=0-{length - 1}")
    except ClientError as error:
        if error.response.get("Error", {}).get("Code") in ("NoSuchKey", "404", "InvalidRange"):
            return b""
        raise
    return found["Body"].read()


def upload_file(path: Path, key: str, *, content_type: str) -> None:
    """Upload a local file with boto3's managed (multipart, constant-memory) transfer."""
    s3_client().upload_file(str(path), bucket_name(), key, ExtraArgs={"ContentType": content_type})


def download_file(key: str, path: Path, *, on_bytes=None) -> None:
    """Stream an object to a local file with boto3's managed transfer (constant memory).
    ``on_bytes(n)`` is called as chunks arrive (to show progress or renew a lease)."""
    s3_client().download_file(bucket_name(), key, str(path), Callback=on_bytes)


def delete_object(key: str) -> None:
    s3_client().delete_object(Bucket=bucket_name(), Key=key)


def abort_multipart(key: str, upload_id: str) -> None:
    """Abort one multipart upload (its parts are deleted); an upload already gone is fine."""
    try:
        s3_client().abort_multipart_upload(Bucket=bucket_name(), Key=key, UploadId=upload_id)
    except ClientError as error:
        if error.response.get("Error", {}).get("Code") not in ("NoSuchUpload", "404"):
            raise


def abort_multipart_uploads(*, started_before) -> int:
    """Abort multipart uploads begun before ``started_before`` (their parts cost space and
    nobody will complete them). Returns how many were aborted."""
    client = s3_client()
    aborted = 0
    for page in client.get_paginator("list_multipart_uploads").paginate(Bucket=bucket_name()):
        for upload in page.get("Uploads", []):
            if upload["Initiated"] < started_before:
                client.abort_multipart_upload(
                    Bucket=bucket_name(), Key=upload["Key"], UploadId=upload["UploadId"]
                )
                aborted += 1
    return aborted


def ensure_bucket() -> None:
    """Create the bucket if needed and set CORS so browsers can PUT parts and read ETags."""
    client = s3_client()
    bucket = bucket_name()
    existing = {b["Name"] for b in client.list_buckets().get("Buckets", [])}
    if bucket not in existing:
        client.create_bucket(Bucket=bucket)
    client.put_bucket_cors(
        Bucket=bucket,
        CORSConfiguration={
            "CORSRules": [
                {
                    "AllowedOrigins": settings.S3_CORS_ORIGINS,
                    "AllowedMethods": ["GET", "HEAD", "PUT"],
                    "AllowedHeaders": ["*"],
                    "ExposeHeaders": ["ETag"],
                    "MaxAgeSeconds": 3600,
                }
            ]
        },
    )


def _origin(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}"


def _policy_with_storage_origin(origin: str) -> dict:
    """The Content-Security-Policy with the storage origin swapped: pages may then load media
    from, and upload to, the other server."""
    policy = settings.CONTENT_SECURITY_POLICY
    directives = {
        name: [origin if source == settings.STORAGE_ORIGIN else source for source in sources]
        for name, sources in policy["DIRECTIVES"].items()
    }
    return {**policy, "DIRECTIVES": directives}


def settings_for_server(
    *, endpoint_url: str, access_key: str, secret_key: str, bucket: str
) -> dict:
    """Settings that point the storage at another S3 server (tests, benchmarks); pass them to
    ``override_settings``."""
    default = settings.STORAGES["default"]
    options = {
        **default["OPTIONS"],
        "endpoint_url": endpoint_url,
        "access_key": access_key,
        "secret_key": secret_key,
        "bucket_name": bucket,
    }
    origin = _origin(endpoint_url)
    return {
        "S3_ENDPOINT_URL": endpoint_url,
        "S3_PUBLIC_ENDPOINT_URL": endpoint_url,
        "STORAGE_ORIGIN": origin,
        "CONTENT_SECURITY_POLICY": _policy_with_storage_origin(origin),
        "S3_ACCESS_KEY_ID": access_key,
        "S3_SECRET_ACCESS_KEY": secret_key,
        "S3_BUCKET": bucket,
        "STORAGES": {**settings.STORAGES, "default": {**default, "OPTIONS": options}},
    }
