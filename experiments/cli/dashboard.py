"""Serve the interactive teaching dashboard.

Serve the teaching dashboard: a class page of one run of the Mesa model month by month (the
network, trust, tokenism, members and non-members, acknowledgement and engagement, resources,
funding) with a scenario picker and teaching controls, and a "many futures" page (/futures) that
runs a network's situation over the plausible worlds. Needs the extra phase0[viz]; works
offline.
"""

from __future__ import annotations

import argparse
import os
import signal
import socket
import sys
from pathlib import Path
from typing import Any

from experiments.cli.options import add_model_class
from experiments.support.outputs import UserError


def add_arguments(p: argparse.ArgumentParser) -> None:
    """The ``phase0 dashboard`` options."""
    p.add_argument("--port", type=int, default=8765, help="port (default 8765)")
    p.add_argument("--host", default="127.0.0.1",
                   help="address to listen on (default 127.0.0.1, this machine only)")
    add_model_class(p)


def _addresses(host: str, port: int) -> list[tuple]:
    try:
        return socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (socket.gaierror, UnicodeError) as exc:
        raise UserError(f"--host {host!r} is not an address of this machine ({exc})") from None


def check_port(host: str, port: int) -> None:
    """Refuse a port the server could not listen on, by binding it for a moment.

    SO_REUSEADDR as the server sets it, so a port left in TIME_WAIT by a previous dashboard is
    not mistaken for a busy one; a port another process listens on still fails.
    """
    family, kind, proto, _, address = _addresses(host, port)[0]
    with socket.socket(family, kind, proto) as s:
        s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            s.bind(address)
        except OSError as exc:
            raise UserError(f"cannot listen on {host} port {port} ({exc.strerror}); another "
                            "program (or dashboard) uses it: choose another with --port"
                            ) from None


def loopback(host: str) -> bool:
    """Whether every address ``host`` stands for is this machine's loopback."""
    import ipaddress

    return all(ipaddress.ip_address(a[4][0].split("%")[0]).is_loopback
               for a in _addresses(host, 0))


def run(args: argparse.Namespace) -> int:
    """Serve the teaching dashboard (both pages) until interrupted."""
    import importlib.util
    import subprocess

    from experiments.support.models import load_model_class
    from experiments.support.parallel import die_with_parent

    missing = [m for m in ("solara", "networkx", "altair") if importlib.util.find_spec(m) is None]
    if missing:
        raise UserError(f"the dashboard needs the optional extra 'viz' (missing: "
                        f"{', '.join(missing)}); install it with: pip install -e '.[viz]' "
                        "(make run does)")
    if not 0 <= args.port <= 65535:
        raise UserError(f"--port must be in [0, 65535], got {args.port}")
    check_port(args.host, args.port)  # before "serving on": a busy port is one line, exit 2
    if not loopback(args.host):
        print(f"phase0 dashboard: warning: --host {args.host} makes the dashboard reachable "
              "from the network (anyone who can reach this machine can use it); the default "
              "127.0.0.1 keeps it to this machine", file=sys.stderr)
    app = Path(__file__).resolve().parents[1] / "teaching" / "app.py"
    # Offline and private: no version-check frame or call and no telemetry. Front-end assets are
    # served by solara's local asset route from the pinned solara-assets; its fallback for an
    # asset missing there would fetch from a CDN, so it is pointed at a closed loopback port and
    # a missing asset fails visibly instead of leaking a request.
    if args.model_class:
        load_model_class(args.model_class)  # a clear error now, not in the server
    env = {**os.environ, "SOLARA_MODE": "production", "PHASE0_MODEL_CLASS": args.model_class or "",
           "SOLARA_TELEMETRY_MIXPANEL_ENABLE": "false",
           "SOLARA_ASSETS_CDN": "http://127.0.0.1:9/npm/"}
    command = [sys.executable, "-m", "solara", "run", str(app), "--host", args.host,
               "--port", str(args.port), "--production", "--no-open", "--no-check-version",
               "--log-level", "warning"]
    print(f"phase0 dashboard: serving on http://{args.host}:{args.port} (Ctrl-C to stop)",
          flush=True)
    parent = os.getpid()
    # Its own session (so the whole group is stopped together) and a parent-death signal (so
    # a `kill -9` of this process does not leave the server listening).
    server = subprocess.Popen(command, env=env, start_new_session=True,
                              preexec_fn=lambda: die_with_parent(parent))

    def terminate() -> None:
        try:
            os.killpg(server.pid, signal.SIGTERM)
        except (ProcessLookupError, PermissionError):
            server.terminate()

    stopped: list[int] = []

    def stop(signum: int, _frame: Any) -> None:
        # `kill`, a service manager or a test stops the server with this process
        stopped.append(signum)
        terminate()

    previous = signal.signal(signal.SIGTERM, stop)
    try:
        code = server.wait()
    except KeyboardInterrupt:
        code = 0
    finally:
        if server.poll() is None:
            terminate()
            try:
                server.wait(10)
            except subprocess.TimeoutExpired:
                os.killpg(server.pid, signal.SIGKILL)
        signal.signal(signal.SIGTERM, previous)
    return 0 if stopped else code
