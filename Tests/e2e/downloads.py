"""A GET read by hand from a raw socket: slowly, partly, or dropped with a TCP reset, as misbehaving or impatient
clients do."""

from __future__ import annotations

import hashlib
import socket
import struct
import time

from payloads import MIB


class RawDownload:
    """An anonymous GET of `path` whose body the caller pulls in pieces."""

    def __init__(self, host: str, port: int, path: str, timeout: float = 60):
        self.socket = socket.create_connection((host, port), timeout=timeout)
        self.socket.sendall(f"GET {path} HTTP/1.1\r\nHost: {host}:{port}\r\nConnection: close\r\n\r\n".encode())
        head = b""
        while b"\r\n\r\n" not in head:
            chunk = self.socket.recv(65536)
            assert chunk, f"connection closed before the response head: {head!r}"
            head += chunk
        head, _, self.pending = head.partition(b"\r\n\r\n")
        status_line, *header_lines = head.decode("latin-1").split("\r\n")
        self.status = int(status_line.split()[1])
        self.headers = {name.lower(): value.strip() for name, value in (line.split(":", 1) for line in header_lines)}
        self.content_length = int(self.headers["content-length"])
        self.received = 0
        self.sha256 = hashlib.sha256()

    def read(self, size: int = MIB) -> bytes:
        """Up to `size` more body bytes; empty at the end."""
        if not self.pending and self.received < self.content_length:
            self.pending = self.socket.recv(min(size, self.content_length - self.received))
            assert self.pending, f"connection closed after {self.received} of {self.content_length} bytes"
        data, self.pending = self.pending[:size], self.pending[size:]
        self.received += len(data)
        self.sha256.update(data)
        return data

    def read_at_least(self, size: int) -> None:
        while self.received < size:
            assert self.read(), "the body ended early"

    def read_to_end(self, pause: float = 0.0) -> None:
        """Reads the rest, sleeping `pause` seconds between MiBs to keep the transfer in flight for a while."""
        while self.received < self.content_length:
            self.read_at_least(min(self.received + MIB, self.content_length))
            time.sleep(pause)

    def reset(self) -> None:
        """Drops the connection with a TCP RST, as a killed client does."""
        self.socket.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        self.socket.close()

    def close(self) -> None:
        self.socket.close()
