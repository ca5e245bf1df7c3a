"""Access points (SPEC §1.3, the S3 Object Lambda model): a name S3 clients use as a bucket, serving the supporting
bucket's objects through a pipeline (here `resize:w=300!format:webp`). Reads return the transformed object, HeadObject
its headers, ListObjectsV2 lists the supporting bucket, writes are refused, and rights are the access point's own: a
user may read through it without any right on the bucket behind it. On both stores."""

from __future__ import annotations

import uuid
from dataclasses import dataclass

import pytest

from gateway_config import (
    ADMIN,
    PRIVATE_BUCKET,
    PRIVATE_THUMBS,
    PUBLIC_BUCKET,
    THUMB_PIPELINE,
    THUMB_WIDTH,
    THUMBS,
    THUMBS_LISTER,
    THUMBS_READER,
    THUMBS_UNTRANSFORMED,
)
from images import identify, image_format, photo
from s3_clients import AwsCli, Boto3Driver, ListQuery, boto3_client, expect_failure
from s3_http import GatewayHTTP, assert_s3_error, list_bucket_xml, object_path

pytestmark = pytest.mark.both_stores

SOURCE_SIZE = (1200, 800)
THUMB_SIZE = (THUMB_WIDTH, 200)


@dataclass(frozen=True)
class Cat:
    """The same 1200x800 JPEG in the public and in the private bucket, under `key`."""

    key: str
    jpeg: bytes
    etag: str  # the source's ETag, in both buckets


@pytest.fixture(scope="module")
def cat(http: GatewayHTTP) -> Cat:
    key = f"access-points-{uuid.uuid4().hex[:8]}/cat.jpg"
    jpeg = photo(*SOURCE_SIZE)
    etags = set()
    for bucket in (PUBLIC_BUCKET, PRIVATE_BUCKET):
        reply = http.request(
            "PUT", object_path(bucket, key), body=jpeg, headers={"content-type": "image/jpeg"}, credentials=ADMIN
        )
        assert reply.status == 200, reply.body
        etags.add(reply.header("ETag"))
    (etag,) = etags
    return Cat(key, jpeg, etag)


def assert_thumbnail(data: bytes) -> None:
    assert image_format(data) == "webp", data[:16]
    frame = identify(data)[0]
    assert (frame.format, frame.width, frame.height) == ("WEBP", *THUMB_SIZE)


def test_aws_s3_cp_from_the_access_point_returns_the_thumbnail(admin_cli: AwsCli, cat: Cat, tmp_path):
    destination = tmp_path / "cat.webp"
    admin_cli.run("s3", "cp", "--only-show-errors", f"s3://{THUMBS}/{cat.key}", str(destination))
    assert_thumbnail(destination.read_bytes())


def test_get_through_the_access_point_is_the_suffix_url(http: GatewayHTTP, cat: Cat):
    through_access_point = http.get(object_path(THUMBS, cat.key), credentials=ADMIN)
    assert through_access_point.status == 200, through_access_point.body[:300]
    assert_thumbnail(through_access_point.body)
    assert through_access_point.header("Content-Type") == "image/webp"
    assert through_access_point.request_id

    with_suffix = http.get(object_path(PUBLIC_BUCKET, cat.key) + "!" + THUMB_PIPELINE, credentials=ADMIN)
    assert with_suffix.status == 200, with_suffix.body[:300]
    assert through_access_point.body == with_suffix.body


def test_head_object_gives_the_transformed_objects_headers(admin_s3, cat: Cat):
    got = admin_s3.get_object(Bucket=THUMBS, Key=cat.key)
    body = got["Body"].read()
    assert_thumbnail(body)
    head = admin_s3.head_object(Bucket=THUMBS, Key=cat.key)
    assert head["ContentType"] == "image/webp"
    assert head["ContentLength"] == len(body)
    assert head["ETag"] == got["ETag"]
    assert head["ETag"] != cat.etag, "the transformed object's ETag is not its source's"


def test_if_none_match_with_the_access_points_etag(http: GatewayHTTP, cat: Cat):
    path = object_path(THUMBS, cat.key)
    etag = http.request("HEAD", path, credentials=ADMIN).header("ETag")
    not_modified = http.get(path, headers={"if-none-match": etag}, credentials=ADMIN)
    assert (not_modified.status, not_modified.body) == (304, b"")
    assert not_modified.header("ETag") == etag
    changed = http.get(path, headers={"if-none-match": cat.etag}, credentials=ADMIN)
    assert changed.status == 200, "the source's ETag is another object's"
    assert_thumbnail(changed.body)


def test_list_objects_v2_lists_the_supporting_bucket(admin_s3, key_prefix):
    keys = [key_prefix + name for name in ("a.jpg", "b/c.jpg", "b/d.jpg", "e.txt")]
    for key in keys:
        admin_s3.put_object(Bucket=PUBLIC_BUCKET, Key=key, Body=key.encode())
    driver = Boto3Driver(admin_s3)
    for query in (ListQuery(prefix=key_prefix), ListQuery(prefix=key_prefix, delimiter="/")):
        through_access_point = driver.list_page(THUMBS, query)
        supporting = driver.list_page(PUBLIC_BUCKET, query)
        assert (through_access_point.keys, through_access_point.prefixes) == (supporting.keys, supporting.prefixes)
    assert driver.list_page(THUMBS, ListQuery(prefix=key_prefix)).keys == sorted(keys)


def test_access_points_are_read_only(http: GatewayHTTP, admin_s3, cat: Cat):
    path = object_path(THUMBS, cat.key)
    for method, query in (("PUT", []), ("DELETE", []), ("POST", [("uploads", "")])):
        reply = http.request(method, path, query=query, body=b"overwritten", credentials=ADMIN)
        assert_s3_error(reply, 405, "MethodNotAllowed")
    expect_failure("MethodNotAllowed", Boto3Driver(admin_s3).put_object, THUMBS, "new.jpg", b"x")
    stored = http.get(object_path(PUBLIC_BUCKET, cat.key), credentials=ADMIN)
    assert (stored.status, stored.body) == (200, cat.jpeg), "the supporting bucket's object is untouched"


def test_missing_key_through_the_access_point(http: GatewayHTTP, key_prefix):
    assert_s3_error(http.get(object_path(THUMBS, key_prefix + "absent.jpg"), credentials=ADMIN), 404, "NoSuchKey")


def test_suffix_on_an_access_point_is_refused(http: GatewayHTTP, cat: Cat):
    reply = http.get(object_path(THUMBS, cat.key) + "!resize:w=10", credentials=ADMIN)
    assert_s3_error(reply, 400, "InvalidTransform")


def test_user_allowed_the_access_point_only(gateway, cat: Cat, key_prefix):
    """Least privilege: `s3:GetObject private-thumbs/*` and `refract:Transform *`, nothing on the bucket behind."""
    reader = Boto3Driver(boto3_client(gateway.url, THUMBS_READER))
    through = reader.get_object(PRIVATE_THUMBS, cat.key)
    assert_thumbnail(through.body)
    assert reader.head_object(PRIVATE_THUMBS, cat.key).content_type == "image/webp"

    expect_failure("AccessDenied", reader.get_object, PRIVATE_BUCKET, cat.key)
    expect_failure("403", reader.head_object, PRIVATE_BUCKET, cat.key)
    expect_failure("AccessDenied", reader.list_page, PRIVATE_THUMBS, ListQuery())
    expect_failure("AccessDenied", reader.list_page, PRIVATE_BUCKET, ListQuery())
    expect_failure("AccessDenied", reader.put_object, PRIVATE_BUCKET, key_prefix + "sneaky.jpg", b"x")


def test_list_right_on_the_access_point(gateway, cat: Cat):
    lister = Boto3Driver(boto3_client(gateway.url, THUMBS_LISTER))
    prefix = cat.key.rsplit("/", 1)[0] + "/"
    assert lister.list_page(PRIVATE_THUMBS, ListQuery(prefix=prefix)).keys == [cat.key]
    expect_failure("AccessDenied", lister.list_page, PRIVATE_BUCKET, ListQuery(prefix=prefix))
    expect_failure("AccessDenied", lister.get_object, PRIVATE_THUMBS, cat.key)


def test_reading_through_an_access_point_needs_the_transform_right(gateway, cat: Cat):
    untransformed = Boto3Driver(boto3_client(gateway.url, THUMBS_UNTRANSFORMED))
    expect_failure("AccessDenied", untransformed.get_object, PRIVATE_THUMBS, cat.key)


def test_anonymous_reads_follow_the_supporting_bucket(http: GatewayHTTP, cat: Cat):
    public = http.get(object_path(THUMBS, cat.key))
    assert public.status == 200, public.body[:300]
    assert_thumbnail(public.body)
    keys, _ = list_bucket_xml(http.get(f"/{THUMBS}", query=[("list-type", "2"), ("prefix", cat.key)]))
    assert keys == [cat.key]
    assert_s3_error(http.get(object_path(PRIVATE_THUMBS, cat.key)), 403, "AccessDenied")
    assert_s3_error(http.get(f"/{PRIVATE_THUMBS}", query=[("list-type", "2")]), 403, "AccessDenied")
