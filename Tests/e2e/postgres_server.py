"""A private PostgreSQL server for the e2e tests that share a queue between gateways: Debian's PostgreSQL 15
(`/usr/lib/postgresql/15/bin`), its cluster and Unix socket in a temporary folder of its own, listening on a free
loopback port, with one user `refract` that needs no password.

`initdb` and `postgres` refuse to run as root: as root they run as the `postgres` user, which then owns the folder.
Durability is off (`fsync=off`): the tests exercise the gateways, not the disk. Use it as a context manager, or call
`start()` and `stop()`; `stop()` also removes the folder.

    with PostgresServer() as server:
        url = server.url          # postgres://refract@127.0.0.1:PORT/refract?sslmode=disable
        other = server.create_database("second")
"""

from __future__ import annotations

import os
import pwd
import shutil
import socket
import subprocess
import tempfile
from pathlib import Path

BINARIES = Path(os.environ.get("REFRACT_POSTGRES_BIN", "/usr/lib/postgresql/15/bin"))
USER = "refract"
START_TIMEOUT = 60


def free_port() -> int:
    """A loopback port nothing listens on right now."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class PostgresServer:
    """A PostgreSQL cluster in a temporary folder; `url` names its default database, `refract`."""

    def __init__(self, database: str = USER):
        self.database = database
        self.port = 0
        self.folder: Path | None = None

    @property
    def url(self) -> str:
        return self.database_url(self.database)

    def database_url(self, database: str) -> str:
        return f"postgres://{USER}@127.0.0.1:{self.port}/{database}?sslmode=disable"

    @property
    def data_folder(self) -> Path:
        assert self.folder is not None, "the server was not started"
        return self.folder / "data"

    @property
    def log_path(self) -> Path:
        assert self.folder is not None, "the server was not started"
        return self.folder / "server.log"

    def log_text(self) -> str:
        return self.log_path.read_text(errors="replace") if self.log_path.exists() else ""

    def start(self) -> PostgresServer:
        """Initializes the cluster, starts the server and creates the default database; cleans up if any fails."""
        assert self.folder is None, "the server is running already"
        self.folder = Path(tempfile.mkdtemp(prefix="refract-pg-"))
        self.port = free_port()
        try:
            if os.geteuid() == 0:
                account = pwd.getpwnam("postgres")
                os.chown(self.folder, account.pw_uid, account.pw_gid)
            self._run("initdb", "-D", str(self.data_folder), "-U", USER, "--auth=trust", "-E", "UTF8",
                      "--no-sync", "--no-instructions")
            options = (f"-h 127.0.0.1 -p {self.port} -k {self.folder} -c fsync=off -c synchronous_commit=off "
                       "-c full_page_writes=off -c max_connections=300")
            self._run("pg_ctl", "-D", str(self.data_folder), "-l", str(self.log_path), "-w", "-t",
                      str(START_TIMEOUT), "-o", options, "start")
            if self.database != "postgres":
                self.create_database(self.database)
        except BaseException:
            self.stop()
            raise
        return self

    def create_database(self, name: str) -> str:
        """Creates an empty database; its URL."""
        self._run("createdb", "-h", "127.0.0.1", "-p", str(self.port), "-U", USER, name)
        return self.database_url(name)

    def stop(self) -> None:
        """Stops the server at once (if it runs) and removes its folder."""
        if self.folder is None:
            return
        if (self.data_folder / "postmaster.pid").exists():
            try:
                self._run("pg_ctl", "-D", str(self.data_folder), "-m", "immediate", "-w", "stop")
            except RuntimeError:
                pass  # Already gone: the folder goes all the same.
        shutil.rmtree(self.folder, ignore_errors=True)
        self.folder = None

    def __enter__(self) -> PostgresServer:
        return self.start()

    def __exit__(self, *_exc) -> None:
        self.stop()

    def _run(self, tool: str, *arguments: str) -> None:
        command = [str(BINARIES / tool), *arguments]
        if os.geteuid() == 0:
            command = ["runuser", "-u", "postgres", "--", *command]
        result = subprocess.run(command, stdin=subprocess.DEVNULL, capture_output=True, text=True, timeout=120)
        if result.returncode != 0:
            raise RuntimeError(f"{tool} failed ({result.returncode}): {result.stdout}{result.stderr}")
