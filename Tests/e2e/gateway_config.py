"""The configuration the e2e gateway runs with (SPEC §3): which store holds the buckets, who may do what, and the
access points over them (SPEC §1.3)."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

from sigv4 import Credentials

PUBLIC_BUCKET = "photos"
PRIVATE_BUCKET = "private"
LISTING_BUCKET = "listing"
BUCKETS = {PUBLIC_BUCKET: True, PRIVATE_BUCKET: False, LISTING_BUCKET: False}

FILESYSTEM_STORE = "local"
S3_STORE = "main"
STORE_KINDS = ("filesystem", "s3")

# Access points over the buckets above: one over the public bucket (SPEC §1.3's example), one over the private bucket
# for least privilege (a user allowed the access point but not the bucket behind it).
THUMBS = "thumbs"
PRIVATE_THUMBS = "private-thumbs"
THUMB_WIDTH = 300
THUMB_PIPELINE = f"resize:w={THUMB_WIDTH}!format:webp"
THUMB_PAYLOAD = {"purpose": "e2e", "width": THUMB_WIDTH}  # reaches the transforms; the built-in ones ignore it
ACCESS_POINTS = {THUMBS: PUBLIC_BUCKET, PRIVATE_THUMBS: PRIVATE_BUCKET}

ADMIN = Credentials("AKIAE2EADMIN00000000", "e2e-admin-secret-0123456789abcdefghijklmn")
READER = Credentials("AKIAE2EREADER0000000", "e2e-reader-secret-0123456789abcdefghijklm")
# Allowed to read through PRIVATE_THUMBS only (plus the transform that takes), never its bucket.
THUMBS_READER = Credentials("AKIAE2ETHUMBSREADER0", "e2e-thumbs-reader-secret-0123456789abcdef")
# Allowed to list PRIVATE_THUMBS only.
THUMBS_LISTER = Credentials("AKIAE2ETHUMBSLISTER0", "e2e-thumbs-lister-secret-0123456789abcdef")
# Allowed s3:GetObject through PRIVATE_THUMBS but not refract:Transform, which an access point runs.
THUMBS_UNTRANSFORMED = Credentials("AKIAE2ETHUMBSNOTRANS", "e2e-thumbs-untransformed-secret-0123456789")
USERS = {
    ADMIN: ["* *"],
    READER: [f"s3:GetObject {PUBLIC_BUCKET}/*"],
    THUMBS_READER: [f"s3:GetObject {PRIVATE_THUMBS}/*", "refract:Transform *"],
    THUMBS_LISTER: [f"s3:ListBucket {PRIVATE_THUMBS}"],
    THUMBS_UNTRANSFORMED: [f"s3:GetObject {PRIVATE_THUMBS}/*"],
}


def real_bucket_name(bucket: str) -> str:
    """The name of a gateway bucket's bucket in the S3 store: deliberately another one, so `buckets.X.name` counts."""
    return f"e2e-{bucket}-real"


@dataclass(frozen=True)
class S3StoreSettings:
    """A `type: s3` store (SPEC §3)."""

    endpoint: str
    access_key_id: str
    secret_access_key: str
    name: str = S3_STORE
    region: str = "us-east-1"
    connect_timeout: str = "2s"
    read_timeout: str = "30s"

    def yaml(self) -> str:
        return f"""\
  {self.name}:
    type: s3
    endpoint: {self.endpoint}
    region: {self.region}
    access_key_id: {self.access_key_id}
    secret_access_key: {self.secret_access_key}
    path_style: true
    connect_timeout: {self.connect_timeout}
    read_timeout: {self.read_timeout}
"""


@dataclass(frozen=True)
class BucketSettings:
    """One entry of `buckets`: its store, its name there (None: the bucket's own), and whether anyone may read it."""

    public: bool
    store: str = FILESYSTEM_STORE
    name: str | None = None


def default_buckets(s3: S3StoreSettings | None) -> dict[str, BucketSettings]:
    """BUCKETS on the filesystem store, or, given an S3 store, on it under their real_bucket_name."""
    if s3 is None:
        return {bucket: BucketSettings(public) for bucket, public in BUCKETS.items()}
    return {bucket: BucketSettings(public, s3.name, real_bucket_name(bucket)) for bucket, public in BUCKETS.items()}


def write_gateway_config(
    directory: Path,
    s3: S3StoreSettings | None = None,
    buckets: dict[str, BucketSettings] | None = None,
) -> Path:
    """Writes `directory/refract.yml` (creating the filesystem store's bucket folders in `directory/storage/`) and
    returns it. The buckets are `default_buckets(s3)` unless given; the access points whose bucket is configured
    come along."""
    storage = directory / "storage"
    storage.mkdir(parents=True, exist_ok=True)
    buckets = default_buckets(s3) if buckets is None else buckets
    stores = f"  {FILESYSTEM_STORE}:\n    type: filesystem\n    root: {storage}\n" + (s3.yaml() if s3 else "")
    bucket_lines = ""
    for bucket, settings in buckets.items():
        if settings.store == FILESYSTEM_STORE:
            (storage / (settings.name or bucket)).mkdir(exist_ok=True)
        public = "true" if settings.public else "false"
        bucket_lines += f"  {bucket}:\n    store: {settings.store}\n    public: {public}\n"
        if settings.name:
            bucket_lines += f"    name: {settings.name}\n"
    access_points = {name: bucket for name, bucket in ACCESS_POINTS.items() if bucket in buckets}
    access_point_lines = "".join(
        f"  {name}:\n    bucket: {bucket}\n"
        f"    pipeline: {json.dumps(THUMB_PIPELINE)}\n    payload: {json.dumps(THUMB_PAYLOAD)}\n"
        for name, bucket in access_points.items()
    )
    # The gateway refuses a rule naming a bucket or access point it does not have: a user comes along when every
    # rule of theirs names one that is configured.
    known = {"*", *buckets, *access_points}
    users = "".join(
        f"    - access_key_id: {user.access_key_id}\n"
        f"      secret_access_key: {user.secret_access_key}\n"
        f"      allow: {json.dumps(rules)}\n"
        for user, rules in USERS.items()
        if all(rule.split()[1].split("/")[0] in known for rule in rules)
    )
    config = directory / "refract.yml"
    config.write_text(
        "server:\n  host: 127.0.0.1\n  port: 0\n"
        f"stores:\n{stores}"
        f"buckets:\n{bucket_lines}"
        + (f"access_points:\n{access_point_lines}" if access_points else "")
        + f"security:\n  users:\n{users}"
        + "log:\n  level: info\n  format: text\n"
    )
    return config
