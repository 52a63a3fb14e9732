"""The layout's rules, read from the source (docs/architecture.md explains them)."""
import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def _sources(*packages: str):
    for package in packages:
        yield from sorted((ROOT / package).rglob("*.py"))


# --- one clock ----------------------------------------------------------------------------------

SERVER_CLOCK = re.compile(r"\bdate\.today\(\)|\bdatetime\.now\(|\bdatetime\.utcnow\b")


def test_only_the_clock_asks_the_system_for_the_date_or_time():
    """``date.today()`` is the server's date, not Almaty's (a server in UTC starts the day five hours
    late), and a naive ``datetime.now()`` has no zone: app/core/clock.py is the one place that asks."""
    clock = ROOT / "app" / "core" / "clock.py"
    found = [f"{path.relative_to(ROOT)}:{n}: {line.strip()}"
             for path in _sources("app", "meetings") if path != clock
             for n, line in enumerate(path.read_text().splitlines(), start=1) if SERVER_CLOCK.search(line)]
    assert not found, "use app.core.clock (today(), utcnow()):\n" + "\n".join(found)
