"""What every output records about how it was made: code version and package versions."""

from __future__ import annotations

import functools
import platform
import subprocess
from importlib import metadata
from pathlib import Path

PACKAGES = ("mesa", "numpy", "pandas", "scipy", "matplotlib", "SALib", "pyarrow")


@functools.cache
def code_version() -> str:
    """The git commit of the code (with ``-dirty`` for uncommitted changes), else the version."""
    root = Path(__file__).resolve().parent.parent
    try:
        out = subprocess.run(
            ["git", "describe", "--always", "--dirty", "--abbrev=12"],
            cwd=root, capture_output=True, text=True, timeout=5, check=True,
        )
        if out.stdout.strip():
            return out.stdout.strip()
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
