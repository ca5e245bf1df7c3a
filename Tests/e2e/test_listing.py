"""ListObjectsV2 (SPEC §1.1) page by page through boto3 and aws-cli, checked against a model of S3's rules: keys in
UTF-8 byte order, a common prefix rolls up every key past the prefix up to the delimiter and counts as one entry
towards max-keys, start-after is exclusive, and every page but the last is full and truncated."""

from __future__ import annotations

import math
from dataclasses import replace

import pytest

from gateway_config import LISTING_BUCKET
from s3_clients import ListQuery, S3Driver

pytestmark = pytest.mark.both_stores

# No key is also a folder of another key: the filesystem store keeps keys as paths.
LISTING_KEYS = [
    "Z-upper.txt",
    "a-b.txt",
    "a.txt",
    "a/1.txt",
    "a/2.txt",
    "a/b/3.txt",
    "a/b/4.txt",
    "a/c/5.txt",
    "a0.txt",
    "b/x/1.txt",
    "b/y/2.txt",
    "b/z.txt",
    "c.txt",
    "d/e/f/g.txt",
    "photos/2023/feb.jpg",
    "photos/2023/jan.jpg",
    "photos/2024/mar.jpg",
    "photos/cover.jpg",
    "unicodé/ü.txt",
    "with space/x.txt",
    "z.txt",
    "~tilde.txt",
]

SCENARIOS = {
    "everything": ListQuery(),
    "pages-of-3": ListQuery(max_keys=3),
    "delimiter-pages-of-2": ListQuery(delimiter="/", max_keys=2),
    "prefix-folder-delimiter-pages-of-1": ListQuery(prefix="a/", delimiter="/", max_keys=1),
    "prefix-photos-delimiter": ListQuery(prefix="photos/", delimiter="/"),
    "prefix-without-slash": ListQuery(prefix="a", delimiter="/", max_keys=2),
    "start-after-pages-of-4": ListQuery(start_after="b", max_keys=4),
    "start-after-deep-key": ListQuery(start_after="a/b/3.txt", max_keys=5),
    "prefix-and-start-after": ListQuery(prefix="photos/", start_after="photos/2023/feb.jpg", max_keys=2),
    "delimiter-and-start-after": ListQuery(delimiter="/", start_after="c.txt", max_keys=3),
    "dot-delimiter": ListQuery(prefix="a", delimiter="."),
    "no-match": ListQuery(prefix="nothing-here/", max_keys=2),
}

Entry = tuple[str, str]


def utf8_order(text: str) -> bytes:
    return text.encode()


def model_listing(keys: list[str], query: ListQuery) -> list[Entry]:
    """Every entry S3 would list for `query`, across all pages: ("key", name) or ("prefix", name)."""
    prefix = query.prefix or ""
    entries: list[Entry] = []
    for key in sorted(keys, key=utf8_order):
        if not key.startswith(prefix):
            continue
        if query.start_after is not None and utf8_order(key) <= utf8_order(query.start_after):
            continue
        rest = key[len(prefix) :]
        if query.delimiter and query.delimiter in rest:
            common = prefix + rest[: rest.index(query.delimiter) + len(query.delimiter)]
            if entries and entries[-1] == ("prefix", common):
                continue
            entries.append(("prefix", common))
        else:
            entries.append(("key", key))
    return entries


def list_every_page(driver: S3Driver, bucket: str, query: ListQuery) -> list[list[Entry]]:
    """Follows continuation tokens to the end, checking each page's own invariants; returns the pages' entries."""
    page_size = query.max_keys or 1000
    pages: list[list[Entry]] = []
    token = None
    while True:
        page = driver.list_page(bucket, replace(query, continuation_token=token))
        entries = sorted(
            [("key", key) for key in page.keys] + [("prefix", prefix) for prefix in page.prefixes],
            key=lambda entry: utf8_order(entry[1]),
        )
        assert len(entries) <= page_size
        assert page.key_count == len(entries), "KeyCount counts keys and common prefixes"
        pages.append(entries)
        if not page.truncated:
            assert page.next_token is None
            return pages
        assert page.next_token, "a truncated page carries a NextContinuationToken"
        assert len(entries) == page_size, "S3 fills every page but the last"
        assert len(pages) < 100, "the listing does not end"
        token = page.next_token


@pytest.fixture(scope="module")
def listing_bucket(admin_s3) -> str:
    for key in LISTING_KEYS:
        admin_s3.put_object(Bucket=LISTING_BUCKET, Key=key, Body=key.encode())
    return LISTING_BUCKET


def test_model_matches_s3_documentation_example():
    keys = ["sample.jpg", "photos/2006/January/sample.jpg", "photos/2006/February/sample2.jpg"]
    assert model_listing(keys, ListQuery(prefix="photos/2006/", delimiter="/")) == [
        ("prefix", "photos/2006/February/"),
        ("prefix", "photos/2006/January/"),
    ]


@pytest.mark.parametrize("scenario", SCENARIOS)
def test_list_objects_v2_pages_match_model(driver: S3Driver, listing_bucket, scenario):
    query = SCENARIOS[scenario]
    expected = model_listing(LISTING_KEYS, query)
    pages = list_every_page(driver, listing_bucket, query)
    assert [entry for page in pages for entry in page] == expected
    assert len(pages) == max(1, math.ceil(len(expected) / (query.max_keys or 1000)))
