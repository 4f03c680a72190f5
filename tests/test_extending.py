"""docs/extending.md, run: its module, its Python steps and its commands, end to end."""

from __future__ import annotations

import re
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

DOC = Path(__file__).resolve().parents[1] / "docs" / "extending.md"


def _blocks(language: str) -> list[str]:
    return re.findall(rf"^```{language}\n(.*?)^```", DOC.read_text(), flags=re.S | re.M)


@pytest.fixture(scope="module")
def peer_support(tmp_path_factory):
    """The page's module, saved and imported as the page says."""
    folder = tmp_path_factory.mktemp("extension")
    (folder / "peer_support.py").write_text(_blocks("python")[0])
    sys.path.insert(0, str(folder))
    try:
        import peer_support

        yield peer_support
    finally:
        sys.path.remove(str(folder))


def test_the_python_steps_run_as_written(peer_support, capsys):
    namespace: dict = {}
    exec(compile(_blocks("python")[1], str(DOC), "exec"), namespace)  # noqa: S102
    user = namespace["user"]
    assert isinstance(user, peer_support.PeerSupportedUser)
    assert namespace["model"].network.month == 25
    assert len(namespace["batch"]) == 32 and namespace["result"].summary["seed"] == 1


def test_peer_support_raises_trust_and_leaves_the_engines_numbers_alone(peer_support):
    from simulation import run_batch

    seeds = range(16)
    base = {"horizon_months": 96}
    plain = run_batch(base, seeds, timeseries=True)
    off = run_batch({**base, "peer_support_rate": 0.0}, seeds, timeseries=True,
                    model_class=peer_support.PeerSupportModel)
    on = run_batch({**base, "peer_support_rate": 0.5}, seeds, timeseries=True,
                   model_class=peer_support.PeerSupportModel)
    # rate 0: the extended model is the model itself, seed for seed (its stream is its own)
    for a, b in zip(plain, off, strict=True):
        pd.testing.assert_frame_equal(a.timeseries, b.timeseries)
    trust = [np.mean([r.timeseries["user_trust"].iloc[-1] for r in runs]) for runs in (off, on)]
    assert trust[1] > trust[0]


def test_the_commands_run_as_written_from_the_modules_folder(peer_support, tmp_path):
    """Every command of the page but the dashboard (a server), as a user types it."""
    import json
    import os
    import shutil
    import subprocess

    shutil.copy(peer_support.__file__, tmp_path / "peer_support.py")
    exe = os.path.join(os.path.dirname(sys.executable), "phase0")
    commands = [c for c in _blocks("sh")[0].replace("\\\n", " ").splitlines() if c.strip()]
    commands = [c for c in commands if not c.startswith("phase0 dashboard")]
    assert [c.split()[1] for c in commands] == ["run", "sweep", "analyze", "compare"]
    for line in commands:
        args = line.split()[1:]
        quiet = ["--quiet"] if args[0] in ("sweep", "compare") else []  # no progress bars
        if args[0] == "compare" and "--parameter-sets" not in args:
            # one parameter set, as the page means (its worlds may not exist, and are slow)
            quiet += ["--parameter-sets", "defaults"]
        done = subprocess.run([exe, *args, *quiet], cwd=tmp_path, capture_output=True,
                              text=True, timeout=900)
        assert done.returncode == 0, f"{line}: {done.stderr}"
    manifest = json.loads((tmp_path / "sweeps" / "peer" / "manifest.json").read_text())
    assert manifest["model_class"] == "peer_support:PeerSupportModel"
    assert len(manifest["model_class_sha256"]) == 64
    morris = pd.read_csv(tmp_path / "sweeps" / "peer" / "analysis" / "morris.csv")
    assert "peer_support_rate" in set(morris["parameter"])
    runs = pd.read_parquet(tmp_path / "sweeps" / "peer" / "results.parquet")
    assert "peer_support_rate_used" in runs
    compare = json.loads((tmp_path / "runs" / "peer_compare" / "manifest.json").read_text())
    assert compare["model_class"] == "peer_support:PeerSupportModel"
    summary = json.loads((tmp_path / "runs" / "peer" / "summary.json").read_text())
    assert summary["model_class"] == "peer_support:PeerSupportModel"
    assert summary["parameters"]["peer_support_rate"] == 0.2
