"""Fault tests run the app as it runs in production: gunicorn workers on a PostgreSQL server of
their own, which the tests kill and restart. They reuse the benchmarks' harness (building a
vote-day database, serving it, logging voters in, casting) rather than a second copy of it."""
import os
import sys
from pathlib import Path

import pytest

BENCHMARKS = Path(__file__).resolve().parents[2] / "benchmarks"
sys.path.insert(0, str(BENCHMARKS))

from _postgres import Cluster, postgres_bin  # noqa: E402


@pytest.fixture(scope="session")
def cluster():
    if postgres_bin() is None:
        if os.environ.get("CI"):
            pytest.fail("CI must run the fault tests: PostgreSQL is not installed")
        pytest.skip("PostgreSQL server not installed (apt-get install postgresql): fault tests skipped")
    server = Cluster(max_connections=60)
    server.start()
    yield server
    server.destroy()
