"""Serve the interactive teaching dashboard.

Serve the teaching dashboard, a Mesa SolaraViz page of one run month by month (network view,
trust, resources, engagement, funding), with a scenario picker and teaching controls. Needs the
extra phase0[viz]; works offline.
"""

from __future__ import annotations

import argparse
import os
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


def run(args: argparse.Namespace) -> int:
    """Serve the teaching dashboard (Mesa's SolaraViz) until interrupted."""
    import importlib.util
    import signal
    import subprocess

    from experiments.support.models import load_model_class

    missing = [m for m in ("solara", "networkx", "altair") if importlib.util.find_spec(m) is None]
    if missing:
        raise UserError(f"the dashboard needs the optional extra 'viz' (missing: "
                        f"{', '.join(missing)}); install it with: pip install -e '.[viz]' "
                        "(make run does)")
    if not 0 <= args.port <= 65535:
        raise UserError(f"--port must be in [0, 65535], got {args.port}")
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
    server = subprocess.Popen(command, env=env)
    stopped: list[int] = []

    def stop(signum: int, _frame: Any) -> None:
        # `kill`, a service manager or a test stops the server with this process; Ctrl-C
        # reaches both
        stopped.append(signum)
        server.terminate()

    previous = signal.signal(signal.SIGTERM, stop)
    try:
        code = server.wait()
    except KeyboardInterrupt:
        code = 0
    finally:
        if server.poll() is None:
            server.terminate()
            try:
                server.wait(10)
            except subprocess.TimeoutExpired:
                server.kill()
        signal.signal(signal.SIGTERM, previous)
    return 0 if stopped else code
