"""What every output records about how it was made: code version and package versions."""

from __future__ import annotations

import functools
import platform
import subprocess
from importlib import metadata
from pathlib import Path

PACKAGES = ("mesa", "numpy", "numba", "pandas", "scipy", "matplotlib", "SALib", "pyarrow")


#: What counts as code for the version: results and documentation changing do not make the
#: code "dirty" (runs rewrite tracked result files; the next run's code is still the commit's).
CODE_PATHS = (":(glob)**/*.py", "experiments/scenarios", "pyproject.toml")


@functools.cache
def code_version() -> str:
    """The git commit of the code, with ``-dirty`` if code differs from it; else the version."""
    root = Path(__file__).resolve().parent.parent
    try:
        head = subprocess.run(["git", "rev-parse", "--short=12", "HEAD"], cwd=root,
                              capture_output=True, text=True, timeout=5, check=True)
        changed = subprocess.run(
            ["git", "status", "--porcelain", "--untracked-files=no", "--", *CODE_PATHS],
            cwd=root, capture_output=True, text=True, timeout=5, check=True)
        if head.stdout.strip():
            return head.stdout.strip() + ("-dirty" if changed.stdout.strip() else "")
    except (OSError, subprocess.SubprocessError):
        pass
    try:
        return metadata.version("phase0")
    except metadata.PackageNotFoundError:
        return "unknown"


def package_versions() -> dict[str, str]:
    """Versions of Python and of the packages results depend on."""
    versions = {"python": platform.python_version()}
    for name in PACKAGES:
        try:
            versions[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            versions[name] = "not installed"
    return versions


def provenance() -> dict[str, object]:
    """Code version and package versions, for a result's metadata."""
    return {"code_version": code_version(), "packages": package_versions()}
