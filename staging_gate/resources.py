"""Where the gate's own files are: the checks, their fixtures, the locustfile, the profile
templates and the report assets — always found through the imported package.

The source tree keeps the design card's top level (``suites/``, ``fixtures/``,
``locustfiles/``, ``reports/``, ``profiles/`` beside ``staging_gate/``). ``pyproject.toml``
maps those folders into the wheel as subpackages of ``staging_gate`` (setuptools
``package-dir``: ``staging_gate.suites`` ← ``suites/``, …), so an installed gate carries
everything it runs and never reads a file outside its package.

Which name a folder is imported by depends on where ``staging_gate`` itself was imported
from, and only on that:

* installed (a wheel): ``staging_gate.suites``, ``staging_gate.fixtures``, … — real
  subpackages inside ``staging_gate/``;
* a source checkout (``staging_gate/`` sits beside ``pyproject.toml`` and ``suites/``): the
  top-level packages ``suites``, ``fixtures``, … of that same checkout, as contributors,
  the tests and the detection matrix have always imported them.

Top-level packages in the wheel were the alternative; they were rejected because the names
are generic (``fixtures`` is also a PyPI distribution) and would shadow or be shadowed by
other installs.
"""

from __future__ import annotations

import functools
import importlib.util
import pkgutil
import sys
from pathlib import Path

import staging_gate

#: Folders of the source tree shipped as ``staging_gate.<name>`` in the wheel.
MAPPED = ("suites", "fixtures", "locustfiles", "reports", "profiles")


_PACKAGE_DIR = Path(staging_gate.__file__).resolve().parent


@functools.cache
def source_checkout() -> Path | None:
    """The root of the source checkout ``staging_gate`` was imported from, or None when it
    is installed (no ``pyproject.toml`` and ``suites/`` beside the package)."""
    root = _PACKAGE_DIR.parent
    if (root / "pyproject.toml").is_file() and (root / "suites" / "__init__.py").is_file():
        if str(root) not in sys.path:
            # Its top-level `fixtures`, `suites` must import even when pytest was started as
            # a script (no cwd on sys.path) or from another folder, as `python -m` would.
            sys.path.insert(0, str(root))
        return root
    return None


def module_name(folder: str) -> str:
    """The import name of a mapped folder (``"suites"`` → ``"staging_gate.suites"`` when
    installed, ``"suites"`` in a checkout). Raises ValueError for a folder not in MAPPED."""
    if folder not in MAPPED:
        raise ValueError(f"{folder!r} is not shipped with the gate (one of {', '.join(MAPPED)})")
    return folder if source_checkout() is not None else f"staging_gate.{folder}"


def folder(name: str) -> Path:
    """The directory of a mapped folder: ``<checkout>/<name>`` or ``staging_gate/<name>``."""
    root = source_checkout()
    if root is not None:
        return root / name
    spec = importlib.util.find_spec(module_name(name))
    if spec is None or spec.origin is None:
        raise FileNotFoundError(f"the installed gate lacks staging_gate.{name}; reinstall it")
    return Path(spec.origin).parent


def checks_dir() -> Path:
    """The folder of the checks (``suites/``), as pytest should collect it."""
    return folder("suites")


def fixture_modules() -> list[str]:
    """Every module of ``fixtures/`` by its short name, sorted (``["browser", "cache", …]``):
    a new fixture module is registered without being listed anywhere."""
    return sorted(m.name for m in pkgutil.iter_modules([str(folder("fixtures"))]) if not m.ispkg)


def fixture_plugins() -> list[str]:
    """The fixture modules as ``pytest_plugins`` names (``fixtures.db`` or
    ``staging_gate.fixtures.db``)."""
    return [f"{module_name('fixtures')}.{name}" for name in fixture_modules()]


def locustfile(name: str = "portal.py") -> Path:
    """A locustfile shipped with the gate (``locustfiles/portal.py``)."""
    return folder("locustfiles") / name


def report_asset(name: str) -> Path:
    """A report asset (``reports/categories.json``)."""
    return folder("reports") / name


def profile_template(name: str) -> Path:
    """A profile shipped with the gate (``profiles/reference.toml`` or any other file there)."""
    return folder("profiles") / name


def pytest_config() -> Path:
    """The pytest configuration a gate run uses (the checks' own, not the caller's)."""
    return _PACKAGE_DIR / "gate_pytest.ini"


def missing() -> list[str]:
    """Every file the gate runs from that this install lacks, as paths (empty: complete)."""
    wanted = [
        checks_dir() / "__init__.py",
        locustfile(),
        report_asset("categories.json"),
        profile_template("reference.toml"),
        pytest_config(),
        folder("fixtures") / "target.py",
    ]
    return [str(path) for path in wanted if not path.is_file()]


if __name__ == "__main__":  # `python -m staging_gate.resources`: is this install complete?
    gaps = missing()
    where = source_checkout() or "the installed package"
    print(f"staging-gate files from {where}: " + ("missing " + ", ".join(gaps) if gaps else "ok"))
    sys.exit(1 if gaps else 0)
