import json
import os
import subprocess
import sys

import pandas as pd
import pyarrow.parquet as pq
import pytest

from experiments.cli import main


def test_run_writes_a_complete_run_folder(tmp_path, capsys):
    out = tmp_path / "run"
    assert main(["run", "--seed", "3", "--set", "horizon_months=48",
                 "--set", "venue_community_share=0.5", "--out", str(out)]) == 0
    assert sorted(p.name for p in out.iterdir()) == [
        "figure.png", "manifest.json", "summary.json", "timeseries.csv", "timeseries.parquet"]
    record = json.loads((out / "summary.json").read_text())
    assert record["seed"] == 3
    assert record["parameters"]["venue_community_share"] == 0.5
    assert record["code_version"] and record["packages"]["mesa"].startswith("3.")
    assert "phase_zero_censored" in record["summary"]
    csv = pd.read_csv(out / "timeseries.csv")
    parquet = pq.read_table(out / "timeseries.parquet")
    assert len(csv) == 49 and parquet.num_rows == 49
    meta = json.loads(parquet.schema.metadata[b"phase0"])
    assert meta["seed"] == 3 and meta["parameters"]["horizon_months"] == 48
    assert (out / "figure.png").read_bytes()[:4] == b"\x89PNG"
    assert "wrote" in capsys.readouterr().out
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".")]  # no temp left


@pytest.mark.parametrize("assignment, fragment", [
    ("NOT_A_PARAMETER=1", "unknown parameter 'NOT_A_PARAMETER'"),
    ("venue_community_share=2", "valid range is [0, 1]"),
    ("n_cbos=abc", "'n_cbos' must be a number"),
    ("no_equals_sign", "NAME=VALUE"),
])
def test_user_mistakes_exit_2_with_one_line_and_write_nothing(tmp_path, capsys, assignment,
                                                              fragment):
    out = tmp_path / "run"
    assert main(["run", "--set", assignment, "--out", str(out)]) == 2
    err = capsys.readouterr().err
    assert fragment in err and err.count("\n") == 1 and "Traceback" not in err
    assert not out.exists() and not list(tmp_path.iterdir())


def test_existing_folder_is_refused_then_replaced_with_overwrite(tmp_path, capsys):
    out = tmp_path / "run"
    out.mkdir()
    (out / "keep.txt").write_text("mine")
    args = ["run", "--set", "horizon_months=12", "--out", str(out)]
    assert main(args) == 2
    assert "--overwrite" in capsys.readouterr().err and (out / "keep.txt").exists()
    # a folder phase0 did not write stays, even with --overwrite (tests/test_faults_writer.py)
    assert main(args + ["--overwrite"]) == 2
    assert "not written by phase0" in capsys.readouterr().err and (out / "keep.txt").exists()
    (out / "keep.txt").unlink()
    assert main(args) == 0 and main(args) == 2
    (out / "keep.txt").write_text("an old result")
    assert main(args + ["--overwrite"]) == 0
    assert not (out / "keep.txt").exists() and (out / "summary.json").exists()


def test_unwritable_folder_exits_2(capsys):
    # /proc refuses new folders even to root, so this holds wherever the tests run as.
    assert main(["run", "--set", "horizon_months=12", "--out", "/proc/phase0-test/run"]) == 2
    err = capsys.readouterr().err
    assert "cannot write" in err and "Traceback" not in err


def test_output_path_that_is_a_file_exits_2(tmp_path, capsys):
    target = tmp_path / "afile"
    target.write_text("x")
    assert main(["run", "--set", "horizon_months=12", "--out", str(target / "run")]) == 2
    assert "error" in capsys.readouterr().err


def test_params_lists_the_registry(capsys):
    assert main(["params"]) == 0
    assert "trust_gain" in capsys.readouterr().out
    assert main(["params", "--json", "--kind", "lever"]) == 0
    rows = json.loads(capsys.readouterr().out)
    assert rows and all(r["kind"] == "lever" for r in rows)
    assert set(rows[0]) >= {"name", "type", "default", "valid", "sweep", "unit", "meaning",
                            "evidence", "kind"}


@pytest.mark.parametrize("command", [[], ["run"], ["params"]])
def test_every_command_has_help(command):
    done = subprocess.run([sys.executable, "-m", "experiments.cli", *command, "--help"],
                          capture_output=True, text=True)
    assert done.returncode == 0 and "usage: phase0" in done.stdout


def test_installed_entry_point_exits_2_on_unknown_parameter():
    exe = os.path.join(os.path.dirname(sys.executable), "phase0")
    done = subprocess.run([exe, "run", "--set", "NOT_A_PARAMETER=1"], capture_output=True,
                          text=True)
    assert done.returncode == 2 and "NOT_A_PARAMETER" in done.stderr
    assert "Traceback" not in done.stderr


def test_code_version_ignores_result_files_but_not_code(tmp_path):
    import shutil

    from simulation import provenance

    repo = tmp_path / "repo"
    shutil.copytree(os.path.dirname(provenance.__file__), repo / "simulation")
    (repo / "results").mkdir()
    (repo / "results" / "r.txt").write_text("1")
    git = ["git", "-c", "user.email=t@t", "-c", "user.name=t"]
    for cmd in (["init", "-q"], ["add", "-A"], ["commit", "-qm", "x"]):
        subprocess.run(git + cmd, cwd=repo, check=True)
    probe = [sys.executable, "-c", "import simulation.provenance as p; print(p.code_version())"]

    def version():
        return subprocess.run(probe, cwd=repo, capture_output=True, text=True,
                              env={**os.environ, "PYTHONPATH": str(repo)}).stdout.strip()

    clean = version()
    assert clean and not clean.endswith("-dirty")
    (repo / "results" / "r.txt").write_text("2")
    assert version() == clean
    with open(repo / "simulation" / "provenance.py", "a") as f:
        f.write("\n# changed\n")
    assert version() == clean + "-dirty"
