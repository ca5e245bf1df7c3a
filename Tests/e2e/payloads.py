"""Test data: deterministic bytes, large streamed bodies that never sit in memory, and S3's ETag arithmetic."""

from __future__ import annotations

import hashlib
import random
import zlib
from base64 import b64encode
from collections.abc import Iterator
from pathlib import Path

MIB = 1024 * 1024
GIB = 1024 * MIB


def random_bytes(size: int, seed: int | str) -> bytes:
    return random.Random(seed).randbytes(size)


def write_random_file(path: Path, size: int, seed: int | str) -> Path:
    """Writes `size` deterministic bytes, a MiB at a time."""
    generator = random.Random(seed)
    with open(path, "wb") as file:
        for offset in range(0, size, MIB):
            file.write(generator.randbytes(min(MIB, size - offset)))
    return path


def content_md5(data: bytes) -> str:
    return b64encode(hashlib.md5(data).digest()).decode()


def checksum_crc32(data: bytes) -> str:
    return b64encode(zlib.crc32(data).to_bytes(4, "big")).decode()


def file_sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as file:
        while block := file.read(MIB):
            digest.update(block)
    return digest.hexdigest()


def multipart_etag(path: Path, part_size: int) -> str:
    """S3's ETag of an object uploaded in parts of `part_size`: md5 of the parts' md5s, then -N."""
    part_digests = []
    with open(path, "rb") as file:
        while part := file.read(part_size):
            part_digests.append(hashlib.md5(part).digest())
    return f'"{hashlib.md5(b"".join(part_digests)).hexdigest()}-{len(part_digests)}"'


class PatternStream:
    """`size` bytes produced a MiB at a time (each MiB stamped with its index, so a reordered or repeated block
    changes the hash) without ever holding more than one MiB."""

    def __init__(self, size: int, seed: int | str):
        self.size = size
        self.block = random_bytes(MIB, seed)
        self.sha256 = hashlib.sha256()

    def __iter__(self) -> Iterator[bytes]:
        for index, offset in enumerate(range(0, self.size, MIB)):
            block = (index.to_bytes(8, "big") + self.block[8:])[: self.size - offset]
            self.sha256.update(block)
            yield block
