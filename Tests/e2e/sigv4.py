"""AWS Signature Version 4 for S3, written out from AWS's documentation so tests can build requests that no SDK
would send (wrong digests, hand-made aws-chunked bodies, Expect: 100-continue through curl).

test_sigv4_vectors.py checks it against the examples AWS publishes.
"""

from __future__ import annotations

import hashlib
import hmac
from dataclasses import dataclass
from datetime import UTC, datetime
from urllib.parse import quote, unquote

ALGORITHM = "AWS4-HMAC-SHA256"
EMPTY_SHA256 = hashlib.sha256(b"").hexdigest()
UNSIGNED_PAYLOAD = "UNSIGNED-PAYLOAD"
STREAMING_PAYLOAD = "STREAMING-AWS4-HMAC-SHA256-PAYLOAD"


@dataclass(frozen=True)
class Credentials:
    access_key_id: str
    secret_access_key: str


@dataclass(frozen=True)
class Scope:
    """The moment and place a signature is valid for."""

    when: datetime
    region: str = "us-east-1"
    service: str = "s3"

    @staticmethod
    def now() -> Scope:
        return Scope(datetime.now(UTC).replace(microsecond=0))

    @property
    def amz_date(self) -> str:
        return self.when.strftime("%Y%m%dT%H%M%SZ")

    @property
    def day(self) -> str:
        return self.when.strftime("%Y%m%d")

    @property
    def credential_scope(self) -> str:
        return f"{self.day}/{self.region}/{self.service}/aws4_request"


def uri_encode(text: str, *, keep_slash: bool) -> str:
    """S3's UriEncode: every byte but the unreserved characters is percent-encoded, '/' only in paths."""
    return quote(text, safe="-_.~" + ("/" if keep_slash else ""))


def encode_query(query: list[tuple[str, str]]) -> str:
    """The canonical query string, which is also what the tests put on the wire."""
    pairs = sorted((uri_encode(name, keep_slash=False), uri_encode(value, keep_slash=False)) for name, value in query)
    return "&".join(f"{name}={value}" for name, value in pairs)


def _hmac(key: bytes, message: str) -> bytes:
    return hmac.new(key, message.encode(), hashlib.sha256).digest()


def signing_key(secret_access_key: str, scope: Scope) -> bytes:
    key = _hmac(("AWS4" + secret_access_key).encode(), scope.day)
    key = _hmac(key, scope.region)
    key = _hmac(key, scope.service)
    return _hmac(key, "aws4_request")


def canonical_request(
    method: str, encoded_path: str, query: list[tuple[str, str]], headers: dict[str, str], payload_hash: str
) -> tuple[str, str]:
    """Returns the canonical request and its SignedHeaders list; every header given is signed.

    The path is canonicalised as S3 does it, whatever escapes the client chose: decoded, then UriEncode'd, so
    `/b/%2E%2E/k` signs as `/b/../k` and `/b/a%21` stays `/b/a%21`.
    """
    canonical_path = uri_encode(unquote(encoded_path), keep_slash=True)
    canonical_headers = sorted((name.lower(), " ".join(str(value).split())) for name, value in headers.items())
    signed_headers = ";".join(name for name, _ in canonical_headers)
    lines = [
        method,
        canonical_path,
        encode_query(query),
        "".join(f"{name}:{value}\n" for name, value in canonical_headers),
        signed_headers,
        payload_hash,
    ]
    return "\n".join(lines), signed_headers


def string_to_sign(canonical: str, scope: Scope) -> str:
    digest = hashlib.sha256(canonical.encode()).hexdigest()
    return "\n".join([ALGORITHM, scope.amz_date, scope.credential_scope, digest])


def sign_headers(
    method: str,
    encoded_path: str,
    query: list[tuple[str, str]],
    headers: dict[str, str],
    payload_hash: str,
    credentials: Credentials,
    scope: Scope,
) -> tuple[dict[str, str], str]:
    """Adds x-amz-date, x-amz-content-sha256 and Authorization to `headers` (which must hold `host`).

    Returns the headers to send and the signature (the seed of an aws-chunked body).
    """
    signed = {name.lower(): value for name, value in headers.items()}
    signed["x-amz-date"] = scope.amz_date
    signed["x-amz-content-sha256"] = payload_hash
    canonical, signed_header_names = canonical_request(method, encoded_path, query, signed, payload_hash)
    signature = hmac.new(
        signing_key(credentials.secret_access_key, scope), string_to_sign(canonical, scope).encode(), hashlib.sha256
    ).hexdigest()
    signed["authorization"] = (
        f"{ALGORITHM} Credential={credentials.access_key_id}/{scope.credential_scope}, "
        f"SignedHeaders={signed_header_names}, Signature={signature}"
    )
    return signed, signature


def chunk_signature(key: bytes, scope: Scope, previous_signature: str, data: bytes) -> str:
    """The signature of one aws-chunked chunk, chained to the previous one (the seed for the first)."""
    text = "\n".join(
        [
            "AWS4-HMAC-SHA256-PAYLOAD",
            scope.amz_date,
            scope.credential_scope,
            previous_signature,
            EMPTY_SHA256,
            hashlib.sha256(data).hexdigest(),
        ]
    )
    return hmac.new(key, text.encode(), hashlib.sha256).hexdigest()


def aws_chunked_frames(chunks: list[bytes], key: bytes, scope: Scope, seed_signature: str) -> list[bytes]:
    """Frames `chunks` (plus the closing empty chunk) as `size;chunk-signature=SIG\\r\\ndata\\r\\n`."""
    frames = []
    previous = seed_signature
    for data in [*chunks, b""]:
        previous = chunk_signature(key, scope, previous, data)
        frames.append(f"{len(data):x};chunk-signature={previous}\r\n".encode() + data + b"\r\n")
    return frames


def aws_chunked_length(chunk_sizes: list[int]) -> int:
    """The Content-Length of an aws-chunked body whose data chunks have these sizes."""
    signature_line = len(";chunk-signature=") + 64 + 2
    return sum(len(f"{size:x}") + signature_line + size + 2 for size in [*chunk_sizes, 0])
