"""Who may do what (SPEC §3 "Requests with credentials"): SigV4 headers and presigned URLs checked against
security.users, deny by default, public buckets readable by anyone, S3's error codes when refused."""

from __future__ import annotations

import time
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

import pytest

from gateway_config import ADMIN, PRIVATE_BUCKET, PUBLIC_BUCKET
from s3_clients import AwsCli, Boto3Driver, ListQuery, boto3_client, expect_failure
from s3_http import GatewayHTTP, assert_s3_error, fetch, list_bucket_xml, object_path
from sigv4 import Credentials

pytestmark = pytest.mark.both_stores


@pytest.fixture
def private_object(admin_s3, key_prefix) -> tuple[str, bytes]:
    key = key_prefix + "secret plan.txt"
    body = b"only for those who sign"
    admin_s3.put_object(Bucket=PRIVATE_BUCKET, Key=key, Body=body)
    return key, body


@pytest.fixture
def public_object(admin_s3, key_prefix) -> tuple[str, bytes]:
    key = key_prefix + "poster.txt"
    body = b"for everyone to read"
    admin_s3.put_object(Bucket=PUBLIC_BUCKET, Key=key, Body=body, ContentType="text/plain")
    return key, body


def with_query(url: str, **changes: str) -> str:
    parts = urlsplit(url)
    query = dict(parse_qsl(parts.query, keep_blank_values=True))
    query.update(changes)
    return urlunsplit(parts._replace(query=urlencode(query)))


def flip_last_character(text: str) -> str:
    return text[:-1] + ("0" if text[-1] != "0" else "1")


def test_presigned_get_from_boto3(admin_s3, private_object):
    key, body = private_object
    url = admin_s3.generate_presigned_url("get_object", Params={"Bucket": PRIVATE_BUCKET, "Key": key}, ExpiresIn=300)
    reply = fetch(url)
    assert (reply.status, reply.body) == (200, body)

    signature = dict(parse_qsl(urlsplit(url).query))["X-Amz-Signature"]
    assert_s3_error(
        fetch(with_query(url, **{"X-Amz-Signature": flip_last_character(signature)})), 403, "SignatureDoesNotMatch"
    )
    assert_s3_error(fetch(with_query(url, **{"X-Amz-Expires": "3600"})), 403, "SignatureDoesNotMatch")
    other_key = url.replace("secret%20plan.txt", "secret%20plan2.txt")
    assert other_key != url
    assert_s3_error(fetch(other_key), 403, "SignatureDoesNotMatch")


def test_expired_presigned_url_is_refused(admin_s3, private_object):
    key, _ = private_object
    url = admin_s3.generate_presigned_url("get_object", Params={"Bucket": PRIVATE_BUCKET, "Key": key}, ExpiresIn=1)
    time.sleep(2.5)
    assert_s3_error(fetch(url), 403, "AccessDenied")


def test_aws_s3_presign(admin_cli: AwsCli, private_object):
    key, body = private_object
    url = admin_cli.run("s3", "presign", f"s3://{PRIVATE_BUCKET}/{key}", "--expires-in", "300").stdout.strip()
    assert "X-Amz-Signature=" in url
    reply = fetch(url)
    assert (reply.status, reply.body) == (200, body)


def test_wrong_secret_is_signature_does_not_match(gateway, private_object, key_prefix):
    impostor = Boto3Driver(boto3_client(gateway.url, Credentials(ADMIN.access_key_id, "not-the-secret")))
    key, _ = private_object
    expect_failure("SignatureDoesNotMatch", impostor.get_object, PRIVATE_BUCKET, key)
    expect_failure("SignatureDoesNotMatch", impostor.put_object, PRIVATE_BUCKET, key_prefix + "forged.txt", b"x")
    expect_failure(
        "NoSuchKey", Boto3Driver(boto3_client(gateway.url, ADMIN)).get_object, PRIVATE_BUCKET, key_prefix + "forged.txt"
    )


def test_anonymous_writes_are_denied_even_on_a_public_bucket(
    anonymous_s3, admin_s3, public_object, curl_reply, key_prefix
):
    anonymous = Boto3Driver(anonymous_s3)
    key, body = public_object
    expect_failure("AccessDenied", anonymous.put_object, PUBLIC_BUCKET, key_prefix + "graffiti.txt", b"x")
    expect_failure("AccessDenied", anonymous.delete_object, PUBLIC_BUCKET, key)

    reply = curl_reply(object_path(PUBLIC_BUCKET, key), "-X", "PUT", "--data-binary", "overwritten")
    assert_s3_error(reply, 403, "AccessDenied")
    assert admin_s3.get_object(Bucket=PUBLIC_BUCKET, Key=key)["Body"].read() == body
    expect_failure("NoSuchKey", Boto3Driver(admin_s3).get_object, PUBLIC_BUCKET, key_prefix + "graffiti.txt")


def test_limited_user_reads_but_cannot_write(reader_s3, public_object, private_object, key_prefix):
    reader = Boto3Driver(reader_s3)
    public_key, public_body = public_object
    assert reader.get_object(PUBLIC_BUCKET, public_key).body == public_body
    assert reader.head_object(PUBLIC_BUCKET, public_key).content_length == len(public_body)
    expect_failure("AccessDenied", reader.put_object, PUBLIC_BUCKET, key_prefix + "mine.txt", b"x")
    expect_failure("AccessDenied", reader.delete_object, PUBLIC_BUCKET, public_key)
    private_key, _ = private_object
    expect_failure("AccessDenied", reader.get_object, PRIVATE_BUCKET, private_key)
    expect_failure("AccessDenied", reader.list_page, PRIVATE_BUCKET, ListQuery())


def test_public_bucket_is_readable_anonymously_with_curl(curl_reply, public_object, key_prefix):
    key, body = public_object
    got = curl_reply(object_path(PUBLIC_BUCKET, key))
    assert (got.status, got.body) == (200, body)
    assert got.header("Content-Type").startswith("text/plain")
    assert got.request_id

    head = curl_reply(object_path(PUBLIC_BUCKET, key), head=True)
    assert head.status == 200
    assert (head.header("Content-Length"), head.header("ETag")) == (str(len(body)), got.header("ETag"))

    listing = curl_reply(f"/{PUBLIC_BUCKET}?list-type=2&prefix={key_prefix}")
    assert listing.status == 200
    assert list_bucket_xml(listing) == ([key], [])


def test_private_bucket_refuses_anonymous_requests(curl_reply, private_object):
    key, _ = private_object
    assert_s3_error(curl_reply(object_path(PRIVATE_BUCKET, key)), 403, "AccessDenied")
    assert_s3_error(curl_reply(object_path(PRIVATE_BUCKET, key), head=True), 403, "AccessDenied")
    assert_s3_error(curl_reply(f"/{PRIVATE_BUCKET}?list-type=2"), 403, "AccessDenied")


def test_malformed_authorization_header(http: GatewayHTTP, private_object):
    key, _ = private_object
    reply = http.get(object_path(PRIVATE_BUCKET, key), headers={"authorization": "AWS4-HMAC-SHA256 garbage"})
    assert_s3_error(reply, 400, "AuthorizationHeaderMalformed")


def test_unknown_bucket_and_key(http: GatewayHTTP, key_prefix):
    for credentials in (ADMIN, None):
        missing_bucket = assert_s3_error(
            http.get("/no-such-bucket/some/key", credentials=credentials), 404, "NoSuchBucket"
        )
        assert missing_bucket.resource is not None and "no-such-bucket" in missing_bucket.resource
        assert_s3_error(
            http.get("/no-such-bucket", query=[("list-type", "2")], credentials=credentials), 404, "NoSuchBucket"
        )
    assert_s3_error(http.request("PUT", "/no-such-bucket/k", body=b"x", credentials=ADMIN), 404, "NoSuchBucket")

    missing_key = assert_s3_error(
        http.get(object_path(PRIVATE_BUCKET, key_prefix + "nothing"), credentials=ADMIN), 404, "NoSuchKey"
    )
    assert missing_key.resource is not None and "nothing" in missing_key.resource
    assert_s3_error(http.get(object_path(PUBLIC_BUCKET, key_prefix + "nothing")), 404, "NoSuchKey")
    assert_s3_error(
        http.request("HEAD", object_path(PRIVATE_BUCKET, key_prefix + "nothing"), credentials=ADMIN), 404, "NoSuchKey"
    )


def test_every_response_has_a_request_id(http: GatewayHTTP, public_object, key_prefix):
    key, _ = public_object
    replies = [
        http.get(object_path(PUBLIC_BUCKET, key)),
        http.request("HEAD", object_path(PUBLIC_BUCKET, key)),
        http.get(f"/{PUBLIC_BUCKET}", query=[("list-type", "2")]),
        http.get(object_path(PUBLIC_BUCKET, key), headers={"range": "bytes=0-1"}),
        http.get(object_path(PUBLIC_BUCKET, key), headers={"range": "bytes=999999-"}),
        http.get(object_path(PUBLIC_BUCKET, key_prefix + "absent")),
        http.get(object_path(PRIVATE_BUCKET, key)),
        http.request("PUT", object_path(PUBLIC_BUCKET, key), body=b"x"),
        http.request("PUT", object_path(PRIVATE_BUCKET, key_prefix + "new"), body=b"x", credentials=ADMIN),
        http.get("/_refract/health"),
        http.get("/_refract/metrics"),
    ]
    request_ids = [reply.request_id for reply in replies]
    assert all(request_ids), [(reply.status, reply.request_id) for reply in replies]
    assert len(set(request_ids)) == len(request_ids), "request ids are unique"
