"""Raw HTTP to the gateway: exact requests (signed with sigv4.py or anonymous) and S3 XML error bodies."""

from __future__ import annotations

import hashlib
import http.client
import io
import socket
import urllib.error
import urllib.request
import xml.etree.ElementTree as ElementTree
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass

from sigv4 import UNSIGNED_PAYLOAD, Credentials, Scope, encode_query, sign_headers, uri_encode

S3_NAMESPACE = "{http://s3.amazonaws.com/doc/2006-03-01/}"
REQUEST_TIMEOUT = 120


def object_path(bucket: str, key: str = "") -> str:
    """The path-style path of an object as SDKs encode it ('!' becomes %21, '/' stays)."""
    return "/" + uri_encode(bucket, keep_slash=False) + ("/" + uri_encode(key, keep_slash=True) if key else "")


@dataclass
class Reply:
    status: int
    reason: str
    headers: http.client.HTTPMessage
    body: bytes

    def header(self, name: str) -> str | None:
        return self.headers.get(name)

    @property
    def request_id(self) -> str | None:
        return self.headers.get("x-amz-request-id")

    def xml(self) -> ElementTree.Element:
        return ElementTree.fromstring(self.body)


@dataclass(frozen=True)
class S3Error:
    code: str
    message: str
    resource: str | None
    request_id: str | None


def parse_s3_error(body: bytes) -> S3Error:
    root = ElementTree.fromstring(body)
    assert root.tag == "Error", f"not an S3 error document: {body[:300]!r}"
    return S3Error(
        code=root.findtext("Code") or "",
        message=root.findtext("Message") or "",
        resource=root.findtext("Resource"),
        request_id=root.findtext("RequestId"),
    )


def assert_s3_error(reply: Reply, status: int, code: str) -> S3Error | None:
    """Asserts an S3 error answer: status, x-amz-request-id, and (but for HEAD, which has no body) the XML body with
    its Code, a Message and the same RequestId as the header. Returns the parsed body."""
    assert reply.status == status, f"expected {status} {code}, got {reply.status}: {reply.body[:500]!r}"
    assert reply.request_id, "every response, errors too, carries x-amz-request-id"
    if not reply.body:
        return None
    assert "xml" in (reply.header("Content-Type") or ""), reply.header("Content-Type")
    error = parse_s3_error(reply.body)
    assert error.code == code, f"expected <Code>{code}</Code>, got {error}"
    assert error.message, "an S3 error has a Message"
    assert error.request_id == reply.request_id
    return error


class GatewayHTTP:
    """One HTTP/1.1 connection per request to the gateway, with optional SigV4 signing."""

    def __init__(self, host: str, port: int):
        self.host = host
        self.port = port

    @property
    def authority(self) -> str:
        return f"{self.host}:{self.port}"

    @contextmanager
    def exchange(
        self,
        method: str,
        path: str,
        *,
        query: list[tuple[str, str]] | None = None,
        headers: dict[str, str] | None = None,
        body: bytes | Iterable[bytes] | None = None,
        credentials: Credentials | None = None,
        payload_hash: str | None = None,
        unsigned_headers: dict[str, str] | None = None,
        timeout: float = REQUEST_TIMEOUT,
    ) -> Iterator[http.client.HTTPResponse]:
        """Sends `path` as given (already percent-encoded) with `query`, yields the response before its body is read.

        Signed requests sign every header in `headers`; `unsigned_headers` go out unsigned (Content-Length of a
        streamed body, Expect). A body that is not bytes is streamed and signed as UNSIGNED-PAYLOAD unless
        `payload_hash` says otherwise.
        """
        query = query or []
        all_headers = {"host": self.authority, **(headers or {})}
        if credentials is not None:
            if payload_hash is None and isinstance(body, bytes | None):
                payload_hash = hashlib.sha256(body or b"").hexdigest()
            all_headers, _ = sign_headers(
                method, path, query, all_headers, payload_hash or UNSIGNED_PAYLOAD, credentials, Scope.now()
            )
        all_headers.update(unsigned_headers or {})
        if isinstance(body, bytes) and "content-length" not in {name.lower() for name in all_headers}:
            all_headers["content-length"] = str(len(body))
        target = path + ("?" + encode_query(query) if query else "")
        connection = http.client.HTTPConnection(self.host, self.port, timeout=timeout)
        try:
            connection.putrequest(method, target, skip_host=True, skip_accept_encoding=True)
            for name, value in all_headers.items():
                connection.putheader(name, value)
            connection.endheaders()
            try:
                for block in [body] if isinstance(body, bytes) else body or []:
                    connection.send(block)
            except (BrokenPipeError, ConnectionResetError):
                pass  # the server may answer (and close) before reading a body it refuses; its answer is read below
            yield connection.getresponse()
        finally:
            connection.close()

    def request(self, method: str, path: str, **options) -> Reply:
        """`exchange` with the whole body read."""
        with self.exchange(method, path, **options) as response:
            return Reply(response.status, response.reason, response.headers, response.read())

    def get(self, path: str, **options) -> Reply:
        return self.request("GET", path, **options)

    def raw_exchange(self, data: bytes, timeout: float = 10) -> bytes:
        """Writes `data` on a fresh connection and returns whatever comes back until the server closes or goes
        quiet: for malformed requests http.client refuses to send."""
        with socket.create_connection((self.host, self.port), timeout=timeout) as connection:
            connection.sendall(data)
            received = b""
            try:
                while chunk := connection.recv(65536):
                    received += chunk
            except TimeoutError:
                pass
            return received


class _Recording:
    """A socket stand-in holding a response already received, for http.client to parse."""

    def __init__(self, data: bytes):
        self.data = data

    def makefile(self, mode: str) -> io.BytesIO:
        return io.BytesIO(self.data)


def parse_http_response(raw: bytes, method: str = "GET") -> Reply:
    """A response as it came off the wire (`curl -i --raw`, a raw socket); interim 100 answers are skipped."""
    response = http.client.HTTPResponse(_Recording(raw), method=method)
    response.begin()
    return Reply(response.status, response.reason, response.headers, response.read())


def fetch(url: str, method: str = "GET", timeout: float = REQUEST_TIMEOUT) -> Reply:
    """A plain HTTP request to a full URL (a presigned one, say), exactly as given."""
    request = urllib.request.Request(url, method=method)
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            return Reply(response.status, response.reason, response.headers, response.read())
    except urllib.error.HTTPError as error:
        return Reply(error.code, error.reason, error.headers, error.read())


def list_bucket_xml(reply: Reply) -> tuple[list[str], list[str]]:
    """Keys and CommonPrefixes of a ListObjectsV2 XML answer."""
    root = reply.xml()
    assert root.tag == f"{S3_NAMESPACE}ListBucketResult", root.tag
    keys = [element.findtext(f"{S3_NAMESPACE}Key") for element in root.findall(f"{S3_NAMESPACE}Contents")]
    prefixes = [element.findtext(f"{S3_NAMESPACE}Prefix") for element in root.findall(f"{S3_NAMESPACE}CommonPrefixes")]
    return keys, prefixes
