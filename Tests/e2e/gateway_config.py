"""The configuration the e2e gateway runs with (SPEC §3): who may do what, on which buckets."""

from __future__ import annotations

from pathlib import Path

from sigv4 import Credentials

PUBLIC_BUCKET = "photos"
PRIVATE_BUCKET = "private"
LISTING_BUCKET = "listing"
BUCKETS = {PUBLIC_BUCKET: True, PRIVATE_BUCKET: False, LISTING_BUCKET: False}

ADMIN = Credentials("AKIAE2EADMIN00000000", "e2e-admin-secret-0123456789abcdefghijklmn")
READER = Credentials("AKIAE2EREADER0000000", "e2e-reader-secret-0123456789abcdefghijklm")


def write_gateway_config(directory: Path) -> Path:
    """Creates `directory/storage/<bucket>/` and `directory/refract.yml`; returns the config file."""
    storage = directory / "storage"
    for bucket in BUCKETS:
        (storage / bucket).mkdir(parents=True, exist_ok=True)
    buckets = "\n".join(
        f"  {name}:\n    store: local\n    public: {'true' if public else 'false'}" for name, public in BUCKETS.items()
    )
    config = directory / "refract.yml"
    config.write_text(
        f"""\
server:
  host: 127.0.0.1
  port: 0
stores:
  local:
    type: filesystem
    root: {storage}
buckets:
{buckets}
security:
  users:
    - access_key_id: {ADMIN.access_key_id}
      secret_access_key: {ADMIN.secret_access_key}
      allow: ["* *"]
    - access_key_id: {READER.access_key_id}
      secret_access_key: {READER.secret_access_key}
      allow: ["s3:GetObject {PUBLIC_BUCKET}/*"]
log:
  level: info
  format: text
"""
    )
    return config
