"""A throwaway PostgreSQL cluster on loopback, from Debian's packages, for the load benchmark and
the fault tests (which stop and start the server mid-run, so they cannot share CI's cluster).

The server refuses to run as root: when we are root, every command runs as the postgres user."""
import glob
import os
import shlex
import shutil
import subprocess
import tempfile
from pathlib import Path

from _gunicorn import free_port


def postgres_bin() -> Path | None:
    """The newest installed server's bin directory, or None when PostgreSQL is not installed."""
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"),
                   key=lambda p: int(Path(p).parent.parent.name) if Path(p).parent.parent.name.isdigit() else 0)
    return Path(found[-1]).parent if found else None



class Cluster:
    """initdb in a temporary directory, then start/stop/restart; ``url(name)`` for SQLAlchemy."""

    def __init__(self, max_connections: int = 100):
        bindir = postgres_bin()
        if bindir is None:
            raise RuntimeError("PostgreSQL is not installed (apt-get install postgresql)")
        self.bin = bindir
        self.port = free_port()
        self.dir = Path(tempfile.mkdtemp(prefix="qatysu-pg-"))
        self.data = self.dir / "data"
        self.as_postgres = os.geteuid() == 0
        if self.as_postgres:
            shutil.chown(self.dir, "postgres", "postgres")
        self._run("initdb", "-D", str(self.data), "-U", "postgres", "-A", "trust", "-E", "UTF8",
                  "--locale=C.UTF-8")
        self.options = (f"-k {self.dir} -c listen_addresses=127.0.0.1 -p {self.port} -c fsync=off "
                        f"-c max_connections={max_connections}")

    def _run(self, program: str, *args: str) -> None:
        command = [str(self.bin / program), *args]
        if self.as_postgres:
            command = ["su", "postgres", "-s", "/bin/sh", "-c", shlex.join(command)]
        subprocess.run(command, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)

    def start(self) -> None:
        self._run("pg_ctl", "-D", str(self.data), "-o", self.options, "-l", str(self.dir / "log"), "-w", "start")

    def stop(self, mode: str = "fast") -> None:
        self._run("pg_ctl", "-D", str(self.data), "-m", mode, "-w", "stop")

    def create_database(self, name: str) -> str:
        self._run("psql", "-h", "127.0.0.1", "-p", str(self.port), "-U", "postgres", "-qc",
                  f'CREATE DATABASE "{name}"')
        return self.url(name)

    def url(self, name: str) -> str:
        return f"postgresql+psycopg://postgres@127.0.0.1:{self.port}/{name}"

    def destroy(self) -> None:
        try:
            self.stop("immediate")
        except subprocess.CalledProcessError:
            pass  # already stopped
        shutil.rmtree(self.dir, ignore_errors=True)
