"""The tests' own SigV4 signer against the worked examples in AWS's S3 documentation ("Examples: Signature
Calculations" and "Signature Calculations for the Authorization Header: Transferring Payload in Multiple Chunks").
If these fail, every hand-signed request in the suite is suspect, not the gateway."""

from datetime import UTC, datetime

from sigv4 import (
    EMPTY_SHA256,
    STREAMING_PAYLOAD,
    Credentials,
    Scope,
    aws_chunked_frames,
    aws_chunked_length,
    sign_headers,
    signing_key,
)

AWS_EXAMPLE = Credentials("AKIAIOSFODNN7EXAMPLE", "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY")
AWS_EXAMPLE_SCOPE = Scope(datetime(2013, 5, 24, tzinfo=UTC))


def test_get_object_example_signature():
    headers = {"host": "examplebucket.s3.amazonaws.com", "range": "bytes=0-9"}
    _, signature = sign_headers("GET", "/test.txt", [], headers, EMPTY_SHA256, AWS_EXAMPLE, AWS_EXAMPLE_SCOPE)
    assert signature == "f0e8bdb87c964420e857bd35b5d6ed310bd44f0170aba48dd91039c6036bdb41"


def test_chunked_upload_example_signatures():
    headers = {
        "host": "s3.amazonaws.com",
        "x-amz-storage-class": "REDUCED_REDUNDANCY",
        "content-encoding": "aws-chunked",
        "x-amz-decoded-content-length": "66560",
        "content-length": str(aws_chunked_length([65536, 1024])),
    }
    assert headers["content-length"] == "66824"
    signed, seed = sign_headers(
        "PUT", "/examplebucket/chunkObject.txt", [], headers, STREAMING_PAYLOAD, AWS_EXAMPLE, AWS_EXAMPLE_SCOPE
    )
    assert seed == "4f232c4386841ef735655705268965c44a0e4690baa4adea153f7db9fa80a0a9"
    assert (
        "SignedHeaders=content-encoding;content-length;host;x-amz-content-sha256;x-amz-date;" in signed["authorization"]
    )

    key = signing_key(AWS_EXAMPLE.secret_access_key, AWS_EXAMPLE_SCOPE)
    frames = aws_chunked_frames([b"a" * 65536, b"a" * 1024], key, AWS_EXAMPLE_SCOPE, seed)
    signatures = [frame.split(b"\r\n", 1)[0].split(b"=", 1)[1].decode() for frame in frames]
    assert signatures == [
        "ad80c730a21e5b8d04586a2213dd63b9a0e99e0e2307b0ade35a65485a288648",
        "0055627c9e194cb4542bae2aa5492e3c1575bbb81b612b7d234b86a503ef5497",
        "b6c6ea8a5354eaf15b3cb7646744f4275b71ea724fed81ceb9323e279d449df9",
    ]
    assert sum(len(frame) for frame in frames) == 66824
