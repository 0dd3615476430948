"""Import layers that must stay one-way, checked by parsing the source (no import runs).

Rules:
- ctip/cases never imports ctip.care or ctip.returns, at module level or inside a function.
  Care and returns build on cases; where a cases write has consequences there, cases calls a
  hook in ctip/cases/hooks.py and the owning app registers its handler in AppConfig.ready().
- ctip/access/rules never imports ctip.access.policy. Policy applies the rules; a rule needing
  `can` or another model's visibility takes them from ctip/access/rules/base.py.

KNOWN lists the imports that remain in the pages and demo data of cases (they compose what
several apps show). It may only shrink: an entry no longer found fails too, so remove it.
"""

import ast
from pathlib import Path

import ctip

ROOT = Path(ctip.__file__).parent

KNOWN = {
    ("cases/demo.py", "ctip.care"),
    ("cases/demo.py", "ctip.care.models"),
    ("cases/selectors.py", "ctip.care.models"),
    ("cases/views.py", "ctip.care.selectors"),
}


def _imports(path: Path) -> list[list[str]]:
    """Every import statement of `path`, anywhere in the file, as the absolute dotted names it
    may import: `from ctip import care` may import ctip and ctip.care."""
    package = ".".join(("ctip", *path.relative_to(ROOT).parent.parts))
    found = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), filename=str(path))):
        if isinstance(node, ast.Import):
            found.extend([alias.name] for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")
                base = base[: len(base) - node.level + 1]
                module = ".".join([*base, node.module] if node.module else base)
            else:
                module = node.module or ""
            found.append([module, *(f"{module}.{alias.name}" for alias in node.names)])
    return found


def _violations(folder: str, forbidden: tuple[str, ...]) -> set[tuple[str, str]]:
    """(file, module) for each import in `folder` of a module under one of `forbidden`."""
    hits = set()
    for path in sorted((ROOT / folder).rglob("*.py")):
        for names in _imports(path):
            bad = [n for n in names if any(n == f or n.startswith(f + ".") for f in forbidden)]
            if bad:
                hits.add((path.relative_to(ROOT).as_posix(), bad[0]))
    return hits


def test_cases_does_not_import_care_or_returns():
    found = _violations("cases", ("ctip.care", "ctip.returns"))
    assert found - KNOWN == set(), "cases must not import care or returns: use ctip.cases.hooks"
    assert KNOWN - found == set(), "these imports are gone: remove them from KNOWN"


def test_access_rules_do_not_import_policy():
    found = _violations("access/rules", ("ctip.access.policy",))
    assert found == set(), "rules must not import ctip.access.policy: use rules/base.py"


def test_the_check_finds_imports_inside_functions(tmp_path, monkeypatch):
    """The parser sees a function-local import, relative or absolute (so the tests above can
    fail)."""
    folder = tmp_path / "cases"
    folder.mkdir()
    (folder / "services.py").write_text(
        "def f():\n    from ctip.returns.services import retrafficking_flag\n"
    )
    (folder / "other.py").write_text("def g():\n    from ..care import services\n")
    monkeypatch.setattr(f"{__name__}.ROOT", tmp_path)
    assert _violations("cases", ("ctip.care", "ctip.returns")) == {
        ("cases/services.py", "ctip.returns.services"),
        ("cases/other.py", "ctip.care"),
    }
