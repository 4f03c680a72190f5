"""Headless Chromium for the browser tests: Debian's package, driven by Playwright (no download)."""

from __future__ import annotations

import ipaddress
import os
import shutil
from pathlib import Path
from urllib.parse import urlparse

import pytest

CHROMIUM = shutil.which("chromium") or ("/usr/bin/chromium"
                                        if Path("/usr/bin/chromium").exists() else None)
# Flags that keep Chromium from reaching out on its own (component updates, sync, metrics).
FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
         "--disable-background-networking", "--disable-component-update", "--disable-sync"]


def require_chromium() -> str:
    """Chromium's path; skip with how to install it, or fail under CI=true."""
    if CHROMIUM is None:
        message = ("Chromium is not installed: install Debian's package with "
                   "'apt-get install chromium' to run the browser tests")
        if os.environ.get("CI") == "true":
            pytest.fail(message)
        pytest.skip(message)
    return CHROMIUM


def is_local(url: str) -> bool:
    """Whether a request stays on this machine (loopback, a local file or inline data)."""
    parsed = urlparse(url)
    if parsed.scheme in ("data", "blob", "about", "file"):
        return True
    host = parsed.hostname or ""
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False
