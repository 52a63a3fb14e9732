"""The layout's rules, read from the source with ``ast`` (docs/architecture.md explains them).

Each test names the files that break its rule and what they import, so the failure says what to
change. Imports inside functions count as much as those at the top of a module."""
import ast
import re
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
COMPONENTS = ("meetings", "consultations")  # use the app; the app uses only what they export
FEATURES = ("admin", "api", "auth", "ballots", "council", "demo", "implementation", "main", "proposals", "results")
# app/core's bottom row: modules that read no model, so the models may use them.
CORE_BASE = {"app.core.clock", "app.core.errors", "app.core.forms", "app.core.i18n", "app.core.markdown",
             "app.core.security"}
FRAMEWORKS = ("flask", "flask_babel", "flask_login", "flask_limiter", "flask_migrate", "flask_sqlalchemy",
              "flask_wtf", "sqlalchemy", "alembic", "werkzeug", "wtforms", "jinja2")


def _sources(*packages: str):
    for package in packages:
        yield from sorted((ROOT / package).rglob("*.py"))


def _module(path: Path) -> str:
    parts = path.relative_to(ROOT).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _imports(path: Path):
    """(imported module, names taken from it, line) for every absolute import in ``path``;
    ``from app.core import clock`` counts as importing ``app.core.clock``."""
    for node in ast.walk(ast.parse(path.read_text(), filename=str(path))):
        if isinstance(node, ast.Import):
            for alias in node.names:
                yield alias.name, (), node.lineno
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            names = tuple(alias.name for alias in node.names)
            if node.module in ("app", "app.core"):  # packages whose names here are their modules
                yield from ((f"{node.module}.{name}", (), node.lineno) for name in names)
            else:
                yield node.module, names, node.lineno


def _top(module: str) -> str:
    return module.split(".")[0]


def _exports(component: str) -> set[str]:
    """The names a component's ``__init__.py`` lists in ``__all__`` (read, not imported)."""
    tree = ast.parse((ROOT / component / "__init__.py").read_text())
    for node in tree.body:
        if isinstance(node, ast.Assign) and any(getattr(t, "id", None) == "__all__" for t in node.targets):
            return set(ast.literal_eval(node.value))
    return set()


def _report(found: list[str], rule: str) -> str:
    return rule + ":\n  " + "\n  ".join(found)


# --- voting/ is a library of its own -----------------------------------------------------------

def test_voting_imports_nothing_of_ours_nor_flask_nor_sqlalchemy():
    found = [f"{path.relative_to(ROOT)}:{line}: import {module}"
             for path in _sources("voting") for module, _, line in _imports(path)
             if _top(module) in ("app", "tests", "benchmarks", *COMPONENTS) or _top(module) in FRAMEWORKS]
    assert not found, _report(found, "voting/ takes and returns plain values: no app, component, Flask or SQLAlchemy")


def test_the_app_reaches_voting_through_the_adapter_only():
    adapter = ROOT / "app" / "ballots" / "adapter.py"
    found = [f"{path.relative_to(ROOT)}:{line}: import {module}"
             for path in _sources("app", *COMPONENTS) if path != adapter
             for module, _, line in _imports(path) if _top(module) == "voting"]
    assert not found, _report(found, "only app/ballots/adapter.py imports voting; use its names")


# --- components depend on the app, never the reverse ------------------------------------------------

def _component_uses(path: Path, component: str, exported: set[str]):
    """What ``path`` takes from ``component`` beyond its exports: ``import meetings.models``,
    ``from meetings.services import x``, ``from meetings import y`` (y not exported), or
    ``meetings.services`` reached as an attribute."""
    tree = ast.parse(path.read_text())
    for module, names, line in _imports(path):
        if module.startswith(component + "."):
            yield line, f"import {module}"
        elif module == component:
            yield from ((line, f"from {component} import {n}") for n in names if n not in exported)
    for node in ast.walk(tree):
        if isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name) and node.value.id == component \
                and node.attr not in exported:
            yield node.lineno, f"{component}.{node.attr}"


def test_the_app_uses_a_component_only_through_what_it_exports():
    found = []
    for component in COMPONENTS:
        if not (ROOT / component / "__init__.py").exists():
            continue
        exported = _exports(component)
        found += [f"{path.relative_to(ROOT)}:{line}: {what}" for path in _sources("app")
                  for line, what in _component_uses(path, component, exported)]
    assert not found, _report(found, "app/ may use only a component's __all__ (add the function there)")


def test_the_exports_check_sees_a_reach_into_a_component(tmp_path, monkeypatch):
    """The rule above can fail: a module that imports meetings.services is reported."""
    probe = ROOT / "app" / "_probe_for_the_architecture_test.py"
    probe.write_text("import meetings\nfrom meetings.services import register\nmeetings.minutes.record\n")
    try:
        reported = list(_component_uses(probe, "meetings", _exports("meetings")))
    finally:
        probe.unlink()
    assert [what for _, what in reported] == ["import meetings.services", "meetings.minutes"]


# --- one direction inside the app -----------------------------------------------------------------

def test_ballots_know_nothing_of_results():
    """The count (results) reads what casting (ballots) wrote; ballots never reach back."""
    found = [f"{path.relative_to(ROOT)}:{line}: import {module}"
             for path in _sources("app/ballots") for module, _, line in _imports(path)
             if module == "app.results" or module.startswith("app.results.")]
    assert not found, _report(found, "app.ballots must not import app.results")


def _layer_of(module: str) -> str:
    if module in CORE_BASE:
        return "core base"
    parts = module.split(".")
    return ".".join(parts[:2]) if parts[0] == "app" and len(parts) > 1 else parts[0]


def test_the_lower_floors_import_no_feature_and_no_component():
    """core, models, identity, notifications and uploads are used by every feature; they import
    none (a feature's page that a lower floor needs is plugged in from above, as the components'
    notification subjects are)."""
    lower = ("app/core", "app/models", "app/identity", "app/notifications", "app/uploads")
    upper = {f"app.{name}" for name in FEATURES} | {"app.cli", *COMPONENTS}
    found = [f"{path.relative_to(ROOT)}:{line}: import {module}"
             for path in _sources(*lower) for module, _, line in _imports(path) if _layer_of(module) in upper]
    assert not found, _report(found, "a lower floor imports a feature or a component")


def test_the_models_use_only_the_base_of_core():
    found = [f"{path.relative_to(ROOT)}:{line}: import {module}"
             for path in _sources("app/models") for module, _, line in _imports(path)
             if module.startswith("app.core") and module not in CORE_BASE and module != "app.core"]
    assert not found, _report(found, "app/models may use " + ", ".join(sorted(CORE_BASE)) + " of app/core")


def test_no_two_packages_import_each_other():
    """The packages of app/ (app/core split in its base and the rest) and the components form no
    circle; the factory (app/__init__.py) and the CLI sit on top and are left out."""
    edges = defaultdict(set)
    for path in _sources("app", *COMPONENTS):
        source = _layer_of(_module(path))
        if source in ("app", "app.cli"):
            continue
        for module, _, _ in _imports(path):
            target = _layer_of(module)
            if _top(module) in ("app", *COMPONENTS) and target not in (source, "app"):
                edges[source].add(target)

    def reaches(start: str, goal: str) -> bool:
        seen, todo = set(), [start]
        while todo:
            node = todo.pop()
            if node == goal:
                return True
            if node not in seen:
                seen.add(node)
                todo += edges.get(node, ())
        return False

    circles = sorted(f"{a} -> {b} -> ... -> {a}" for a in edges for b in edges[a] if reaches(b, a))
    assert not circles, _report(circles, "packages that import each other")


# --- one clock ----------------------------------------------------------------------------------

SERVER_CLOCK = re.compile(r"\bdate\.today\(\)|\bdatetime\.now\(|\bdatetime\.utcnow\b")


def test_only_the_clock_asks_the_system_for_the_date_or_time():
    """``date.today()`` is the server's date, not Almaty's (a server in UTC starts the day five hours
    late), and a naive ``datetime.now()`` has no zone: app/core/clock.py is the one place that asks."""
    clock = ROOT / "app" / "core" / "clock.py"
    found = [f"{path.relative_to(ROOT)}:{n}: {line.strip()}"
             for path in _sources("app", *COMPONENTS) if path != clock
             for n, line in enumerate(path.read_text().splitlines(), start=1) if SERVER_CLOCK.search(line)]
    assert not found, _report(found, "use app.core.clock (today(), utcnow())")


# --- the top of app/ ------------------------------------------------------------------------------

def test_the_top_of_app_holds_only_the_factory_config_extensions_and_cli():
    modules = sorted(p.name for p in (ROOT / "app").glob("*.py"))
    assert modules == ["__init__.py", "cli.py", "config.py", "extensions.py"], modules


# --- the size of a room ---------------------------------------------------------------------------

LONGEST = 400
DATA = ("migrations/versions/",)  # hand-written schema steps: data, not a room to find one's way in


def test_no_module_grows_past_400_lines():
    """A file a newcomer has to scroll through for long is two concerns in one; split it by what
    its parts hold (data, like the schema's migrations, may be longer)."""
    roots = ("app", *COMPONENTS, "voting", "tests", "benchmarks")
    long = [f"{path.relative_to(ROOT)}: {count} lines" for path in _sources(*roots)
            if not str(path.relative_to(ROOT)).startswith(DATA)
            and (count := len(path.read_text().splitlines())) > LONGEST]
    assert not long, _report(long, f"split it under {LONGEST} lines")
