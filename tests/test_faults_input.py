"""Fault injection, part 1: bad input files, values and options, the error boundary, the API.

Each case gives one command one mistake and asks (:func:`tests.faultkit.refused`) for exit 2,
one line naming the field or file, no traceback, and nothing changed in the folder around it.
The cases fail before any simulation, so the whole file runs in seconds.
"""

from __future__ import annotations

import errno
import os
import signal
import subprocess
import sys
import textwrap
from pathlib import Path

import numpy as np
import pytest

from experiments.cli import main
from simulation.parameters import ParameterError
from simulation.runner import run, run_batch
from tests.faultkit import assert_one_line, ctrl_c_as_at_a_terminal, refused, run_cli

ROOT = Path(__file__).resolve().parents[1]

# --- scenario files ------------------------------------------------------------------------

EVENT = "[[events]]\nevent = 'harmful_incident'\nmonth = 30\n"

#: (file content, words the error must contain). Bytes are written as they are.
BAD_SCENARIOS: dict[str, tuple[bytes | str, tuple[str, ...]]] = {
    "latin-1": (b"name = 'caf\xe9'\n", ("not UTF-8",)),
    "utf-16": ("name = 'x'\n".encode("utf-16"), ("not UTF-8",)),
    "binary": (bytes(range(256)), ("not UTF-8",)),
    "too-large": ("# " + "x" * 1_100_000 + "\n", ("larger than",)),
    "deeply-nested": ("a = " + "[" * 50_000 + "]" * 50_000 + "\n", ("nested too deeply",)),
    "invalid-toml": ("name = \n", ("not valid TOML",)),
    "unclosed-table": ("[parameters\n", ("not valid TOML",)),
    "unknown-key": ("name = 'x'\ncolour = 'red'\n", ("unknown key", "colour")),
    "parameters-not-table": ("parameters = 3\n", ("must be a table",)),
    "unknown-parameter": ("[parameters]\ntrust_gian = 0.1\n", ("trust_gian", "did you mean")),
    "out-of-range": ("[parameters]\ntrust_gain = 7\n", ("trust_gain", "valid range")),
    "just-out-of-range": ("[parameters]\nvenue_community_share = 1.0000001\n",
                          ("1.0000001", "[0, 1]")),
    "float-for-int": ("[parameters]\nn_cbos = 2.5\n", ("n_cbos", "whole number")),
    "number-for-bool": ("[parameters]\nkpi_tied = 0.7\n", ("kpi_tied", "true or false")),
    "string-for-number": ("[parameters]\ntrust_gain = 'lots'\n", ("trust_gain", "number")),
    "nan": ("[parameters]\ntrust_gain = nan\n", ("trust_gain", "finite")),
    "inf": ("[parameters]\ntrust_gain = inf\n", ("trust_gain", "finite")),
    "huge-int": ("[parameters]\nn_cbos = 1" + "0" * 30 + "\n", ("n_cbos", "range")),
    "array-for-number": ("[parameters]\ntrust_gain = [0.1]\n", ("trust_gain", "number")),
    "shares-over-one": ("[parameters]\nshare_users_no_cbo = 0.8\nshare_users_two_cbos = 0.5\n",
                        ("share_users_no_cbo", "must not exceed 1")),
    "empty-name": ("name = ''\n", ("'name'",)),
    "numeric-name": ("name = 5\n", ("'name'",)),
    "events-not-tables": ("events = [1, 2]\n", ("[[events]]",)),
    "event-list-kind": ("[[events]]\nevent = ['x']\nmonth = 3\n", ("'event' must be one of",)),
    "event-unknown": ("[[events]]\nevent = 'meteor'\nmonth = 3\n", ("meteor",)),
    "event-missing-kind": ("[[events]]\nmonth = 3\n", ("'event' must be one of",)),
    "event-month-zero": ("[[events]]\nevent = 'broker_leaves'\nmonth = 0\n", ("'month'",)),
    "event-month-negative": ("[[events]]\nevent = 'broker_leaves'\nmonth = -4\n", ("'month'",)),
    "event-month-float": ("[[events]]\nevent = 'broker_leaves'\nmonth = 4.5\n", ("'month'",)),
    "event-month-bool": ("[[events]]\nevent = 'broker_leaves'\nmonth = true\n", ("'month'",)),
    "event-month-missing": ("[[events]]\nevent = 'broker_leaves'\n", ("'month'",)),
    "event-unknown-key": (EVENT + "strength = 3\n", ("strength", "allowed keys")),
    "event-twice": (EVENT + EVENT, ("scheduled twice",)),
    "event-and-parameter": ("[parameters]\nharmful_incident_month = 40\n" + EVENT,
                            ("scheduled twice",)),
    "event-size-and-parameter": ("[parameters]\nharmful_incident_size = 0.2\n" + EVENT
                                 + "size = 0.3\n", ("harmful_incident_size", "one place")),
    "event-size-out-of-range": (EVENT + "size = 3\n", ("harmful_incident_size", "range")),
    "event-after-horizon": ("[parameters]\nhorizon_months = 24\n" + EVENT,
                            ("after the end of the run", "horizon_months = 24")),
    "cut-and-restored-same-month": (
        "[[events]]\nevent = 'funding_cut'\nmonth = 30\n"
        "[[events]]\nevent = 'funding_restored'\nmonth = 30\n", ("cancel out",)),
}


@pytest.mark.parametrize("case", sorted(BAD_SCENARIOS))
@pytest.mark.parametrize("command", ["run", "compare"])
def test_a_broken_scenario_file_is_refused_in_one_line(case, command, tmp_path, monkeypatch,
                                                       capsys):
    content, words = BAD_SCENARIOS[case]
    monkeypatch.chdir(tmp_path)
    path = tmp_path / f"{case}.toml"
    path.write_bytes(content if isinstance(content, bytes) else content.encode())
    option = "--scenario" if command == "run" else "--scenarios"
    refused([command, option, path.name, "--out", "out"], capsys, tmp_path, *words)


@pytest.mark.parametrize("target, words", [
    ("/dev/zero", ("not a regular file",)),
    ("/dev/null", ("not a regular file",)),
    (".", ("not a regular file",)),
    ("missing.toml", ("cannot read", "missing.toml")),
])
def test_a_scenario_path_that_is_not_a_file_is_refused(target, words, tmp_path, monkeypatch,
                                                       capsys):
    monkeypatch.chdir(tmp_path)
    refused(["run", "--scenario", target, "--out", "out"], capsys, tmp_path, *words)


def test_a_named_pipe_is_refused_without_waiting_for_a_writer(tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    os.mkfifo(tmp_path / "pipe.toml")
    refused(["run", "--scenario", "pipe.toml", "--out", "out"], capsys, tmp_path,
            "not a regular file")


def test_a_byte_order_mark_is_read_as_utf8(tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "bom.toml").write_bytes(b"\xef\xbb\xbfname = 'bom'\n[parameters]\n"
                                        b"horizon_months = 12\n")
    code, _, err = run_cli(["run", "--scenario", "bom.toml", "--out", "out"], capsys)
    assert code == 0, err
    assert (tmp_path / "out" / "summary.json").exists()


BAD_SET_FILES: dict[str, tuple[bytes, tuple[str, ...]]] = {
    "latin-1": (b"trust_gain\n0.1\ncaf\xe9\n", ("not UTF-8",)),
    "empty": (b"", ("not a CSV table",)),
    "header-only": (b"trust_gain\n", ("no rows",)),
    "no-parameter-column": (b"colour\nred\n", ("no column named after a model parameter",)),
    "out-of-range": (b"trust_gain\n0.1\n7\n", ("line 3", "trust_gain", "valid range")),
    "float-for-int": (b"n_cbos\n2.5\n", ("line 2", "n_cbos", "whole number")),
    "number-for-bool": (b"kpi_tied\n0.7\n", ("line 2", "kpi_tied", "true or false")),
    "missing-cell": (b"trust_gain,skill_gain\n0.1,\n", ("line 2", "skill_gain", "finite")),
    "ragged": (b"trust_gain\n0.1,0.2,0.3\n0.1\n", ("line",)),
}


@pytest.mark.parametrize("case", sorted(BAD_SET_FILES))
@pytest.mark.parametrize("command", [["compare"], ["explore", "funding"]])
def test_a_broken_parameter_set_file_is_refused(case, command, tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    content, words = BAD_SET_FILES[case]
    (tmp_path / "sets.csv").write_bytes(content)
    refused([*command, "--parameter-sets", "sets.csv", "--out", "out"], capsys, tmp_path,
            "sets.csv", *words)


# --- --set and numeric options ---------------------------------------------------------------

BAD_SETS = {
    "unknown": ("trust_gian=0.1", ("trust_gian",)),
    "rng-is-not-a-parameter": ("rng=5", ("unknown parameter 'rng'",)),
    "out-of-range": ("trust_gain=7", ("trust_gain", "valid range")),
    "just-above": ("venue_community_share=1.0000001", ("1.0000001",)),
    "just-below": ("venue_community_share=-0.0000001", ("-1e-07",)),
    "not-a-number": ("trust_gain=abc", ("trust_gain", "number")),
    "empty-value": ("trust_gain=", ("trust_gain",)),
    "float-for-int": ("n_cbos=2.5", ("n_cbos", "whole number")),
    "huge": ("n_cbos=1e400", ("n_cbos", "finite")),
    "nan": ("trust_gain=nan", ("trust_gain", "finite")),
    "bool-word": ("kpi_tied=maybe", ("kpi_tied", "true or false")),
    "bool-number": ("kpi_tied=0.7", ("kpi_tied", "true or false")),
    "no-equals": ("trust_gain", ("NAME=VALUE",)),
    "no-name": ("=3", ("NAME=VALUE",)),
}


@pytest.mark.parametrize("case", sorted(BAD_SETS))
@pytest.mark.parametrize("command", ["run", "compare"])
def test_a_bad_set_is_refused_in_one_line(case, command, tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    assignment, words = BAD_SETS[case]
    refused([command, "--set", assignment, "--out", "out"], capsys, tmp_path, *words)


@pytest.mark.parametrize("command", ["run", "compare"])
def test_a_parameter_set_twice_is_refused(command, tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    refused([command, "--set", "n_cbos=3", "--set", "n_cbos=4", "--out", "out"], capsys,
            tmp_path, "n_cbos", "twice")


BAD_OPTIONS = [
    (["compare", "--replicates", "0"], ("--replicates", "at least 1")),
    (["compare", "--replicates", "-1"], ("--replicates",)),
    (["compare", "--replicates", "100000000"], ("--replicates", "at most")),
    (["compare", "--replicates", "many"], ("--replicates", "whole number")),
    (["compare", "--seed", "-1"], ("seed", "non-negative")),
    (["compare", "--seed", "1.5"], ("seed",)),
    (["explore", "funding", "--horizon", "0"], ("--horizon",)),
    (["explore", "funding", "--horizon", "-12"], ("--horizon",)),
    (["explore", "funding", "--horizon", "99999"], ("--horizon", "at most")),
    (["compare", "--max-sets", "-3"], ("--max-sets",)),
    (["compare", "--workers", "0"], ("--workers",)),
    (["compare", "--workers", "-1"], ("--workers",)),
    (["compare", "--scenarios", "nope"], ("unknown scenario 'nope'",)),
    (["compare", "--parameter-sets", "missing.csv"], ("missing.csv",)),
    (["run", "--seed", "-5"], ("seed",)),
    (["run", "--seed", "x"], ("seed",)),
    (["run", "--nonsense"], ("unrecognized arguments",)),
    (["explore", "funding", "--replicates", "0"], ("--replicates",)),
    (["explore", "funding", "--max-sets", "-3"], ("--max-sets",)),
    (["explore", "funding", "--workers", "-1"], ("--workers",)),
    (["brief", "--scenario", "nope"], ("nope",)),
    (["dashboard", "--port", "70000"], ("--port",)),
    (["nonsense"], ("invalid choice",)),
]


@pytest.mark.parametrize("argv, words", BAD_OPTIONS, ids=lambda v: "_".join(v)
                         if isinstance(v, list) else "")
def test_a_bad_option_is_refused_in_one_line(argv, words, tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    refused(argv + (["--out", "out"] if argv[0] in ("compare", "run") else []), capsys,
            tmp_path, *words)


# --- the error boundary ----------------------------------------------------------------------


@pytest.mark.parametrize("code, advice", [(errno.ENOSPC, "free some disk space"),
                                          (errno.EROFS, "read-only"),
                                          (errno.EBUSY, "in use"),
                                          (errno.EACCES, "permissions"),
                                          (errno.EIO, "")])
def test_an_os_error_becomes_one_line_naming_the_file(code, advice, tmp_path, monkeypatch,
                                                      capsys):
    import experiments.cli.params as params

    def fail(args):
        raise OSError(code, os.strerror(code), str(tmp_path / "where.csv"))

    monkeypatch.setattr(params, "run", fail)
    line = refused(["params"], capsys, tmp_path, "where.csv", os.strerror(code), advice)
    assert line.startswith("phase0 params: error:")


def test_a_bug_says_it_is_a_bug_and_how_to_see_the_traceback(tmp_path, monkeypatch, capsys):
    import experiments.cli.params as params

    monkeypatch.setattr(params, "run", lambda args: {}["missing"])
    refused(["params"], capsys, tmp_path, "internal error", "KeyError", "--debug", code=1)
    assert main(["--debug", "params"]) == 1
    assert "Traceback" in capsys.readouterr().err


def test_out_of_memory_is_one_line(tmp_path, monkeypatch, capsys):
    import experiments.cli.params as params

    def fail(args):
        raise MemoryError

    monkeypatch.setattr(params, "run", fail)
    refused(["params"], capsys, tmp_path, "out of memory")


def test_debug_shows_the_traceback_of_a_user_error(capsys):
    assert main(["--debug", "run", "--set", "nope=1"]) == 2
    err = capsys.readouterr().err
    assert "Traceback" in err and "unknown parameter 'nope'" in err.strip().splitlines()[-1]


SLOW_WRITER = textwrap.dedent("""
    import sys, time
    import experiments.cli.params as params
    from experiments.support.outputs import write_results

    def slow(args):
        write_results(sys.argv[1], {"x.txt": lambda p: (p.write_text("x"), print("ready",
                      flush=True), time.sleep(60))}, {})
        return 0

    params.run = slow
    from experiments.cli import main
    sys.exit(main(["params"]))
""")


@pytest.mark.parametrize("signum, code, word", [(signal.SIGTERM, 143, "terminated"),
                                                (signal.SIGINT, 130, "interrupted")])
def test_a_signal_while_writing_leaves_no_folder_and_says_so(signum, code, word, tmp_path):
    target = tmp_path / "result"
    proc = subprocess.Popen([sys.executable, "-c", SLOW_WRITER, str(target)], cwd=ROOT,
                            env={**os.environ, "PYTHONPATH": str(ROOT)},
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                            preexec_fn=ctrl_c_as_at_a_terminal)
    try:
        assert proc.stdout.readline().strip() == "ready"
        assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".result.tmp")]
        proc.send_signal(signum)
        _, err = proc.communicate(timeout=30)
    finally:
        if proc.poll() is None:
            proc.kill()
    assert proc.returncode == code
    assert_one_line(err, word)
    assert not list(tmp_path.iterdir())  # neither the result nor its temporary folder


# --- the Python API --------------------------------------------------------------------------

API_MISTAKES = {
    "huge-int": (lambda: run({"n_cbos": 10**400, "horizon_months": 12}), ParameterError,
                 "n_cbos"),
    "rng-as-parameter": (lambda: run({"rng": 5}), ParameterError, "unknown parameter 'rng'"),
    "collect-as-parameter": (lambda: run({"collect": True}), ParameterError, "'collect'"),
    "params-a-string": (lambda: run("ab"), ValueError, "must be a dict"),
    "params-a-list": (lambda: run([1, 2]), ValueError, "must be a dict"),
    "batch-of-strings": (lambda: run_batch(["ab"], [1]), ValueError, "params[0]"),
    "batch-params-a-string": (lambda: run_batch("ab", [1]), ValueError, "sequence"),
    "seeds-an-int": (lambda: run_batch({"horizon_months": 12}, seeds=5), ValueError, "seeds"),
    "seeds-a-string": (lambda: run_batch({"horizon_months": 12}, seeds="12"), ValueError,
                       "seeds"),
    "negative-seed": (lambda: run_batch({"horizon_months": 12}, seeds=[-1]), ValueError,
                      "seed"),
    "float-seed": (lambda: run({"horizon_months": 12}, seed=1.5), ValueError, "seed"),
    "batch-length": (lambda: run_batch([{}, {}], [1]), ValueError, "2 parameter dicts"),
    "just-above": (lambda: run({"venue_community_share": 1.0000001}), ParameterError,
                   "1.0000001"),
}


@pytest.mark.parametrize("case", sorted(API_MISTAKES))
def test_the_api_raises_the_same_clear_errors(case):
    call, kind, words = API_MISTAKES[case]
    with pytest.raises(kind) as info:
        call()
    assert words in str(info.value)


def test_the_api_accepts_numpy_values():
    params = {"n_cbos": np.int64(5), "trust_gain": np.float64(0.1), "kpi_tied": np.bool_(True),
              "horizon_months": np.int32(12)}
    one = run(params, seed=np.int64(3), timeseries=False)
    batch = run_batch(params, seeds=np.arange(3, 4))
    assert one.params["n_cbos"] == 5 and one.params["kpi_tied"] is True
    assert one.summary == batch[0].summary


def test_scenario_events_within_the_horizon_still_run(tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "ok.toml").write_text("[parameters]\nhorizon_months = 24\n"
                                      "[[events]]\nevent = 'harmful_incident'\nmonth = 20\n")
    code, _, err = run_cli(["run", "--scenario", "ok.toml", "--out", "out"], capsys)
    assert code == 0, err
    assert (tmp_path / "out" / "summary.json").exists()


# --- found by the review of this suite --------------------------------------------------------


def test_fresh_refuses_a_sweep_another_process_is_writing(tmp_path, monkeypatch, capsys):
    import fcntl
    import json as _json

    monkeypatch.chdir(tmp_path)
    grid = tmp_path / "w" / "grid"
    grid.mkdir(parents=True)
    (grid / "manifest.json").write_text(_json.dumps({"written_by": "phase0"}))
    with open(grid / ".lock", "w") as held:
        fcntl.flock(held, fcntl.LOCK_EX | fcntl.LOCK_NB)
        held.write("4242\n")
        held.flush()
        refused(["explore", "funding", "--work", "w", "--fresh", "--out", "out",
                 "--max-sets", "2", "--quiet"], capsys, tmp_path, "in use", "4242")
    assert (grid / "manifest.json").exists()


def test_the_output_folder_may_not_lie_inside_the_explorers_sweeps(tmp_path, monkeypatch,
                                                                   capsys):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "w" / "grid").mkdir(parents=True)
    refused(["explore", "funding", "--work", "w", "--out", "w/grid", "--overwrite", "--quiet"],
            capsys, tmp_path, "inside", "'w'")


def test_a_sweeps_cleanup_leaves_another_writers_hidden_folder(tmp_path):
    from experiments.research.sweep.storage import SweepFolder

    folder = SweepFolder(tmp_path / "s")
    folder.chunk_dir.mkdir(parents=True)
    (folder.path / ".analysis.tmp-999999-abcd1234").mkdir()
    (folder.chunk_dir / ".chunk-0.parquet.tmp-1").write_text("half")
    folder.clean_temporaries()
    assert (folder.path / ".analysis.tmp-999999-abcd1234").is_dir()
    assert not (folder.chunk_dir / ".chunk-0.parquet.tmp-1").exists()


def test_the_sensitivity_study_checks_its_folder_before_an_hours_work(tmp_path, monkeypatch,
                                                                      capsys):
    home = tmp_path / "home"
    home.mkdir()
    monkeypatch.setenv("HOME", str(home))
    monkeypatch.chdir(tmp_path)
    refused(["sensitivity-study", "--out", str(home), "--sweeps", "s"], capsys, tmp_path,
            "home folder")
    (tmp_path / "r").mkdir()
    (tmp_path / "r" / "wall_time.txt").write_text("mine")
    refused(["sensitivity-study", "--out", "r", "--sweeps", "s"], capsys, tmp_path,
            "wall_time.txt", "--overwrite")


@pytest.mark.parametrize("special", ["/dev/zero", "fifo"])
def test_a_parameter_set_file_that_is_not_a_file_is_refused(special, tmp_path, monkeypatch,
                                                            capsys):
    monkeypatch.chdir(tmp_path)
    if special == "fifo":
        os.mkfifo(tmp_path / "sets.csv")
        special = "sets.csv"
    refused(["compare", "--parameter-sets", special, "--out", "out"], capsys, tmp_path,
            "not a regular file")


def test_a_deeply_nested_manifest_is_a_user_error(tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "d").mkdir()
    (tmp_path / "d" / "manifest.json").write_text("[" * 200_000 + "]" * 200_000)
    refused(["reproduce", "d"], capsys, tmp_path, "'d")
    refused(["run", "--out", "d", "--overwrite", "--set", "horizon_months=12"], capsys,
            tmp_path, "'d'")


def test_a_damaged_table_is_a_user_error_not_a_bug(tmp_path, monkeypatch, capsys):
    import pandas as pd

    import experiments.cli.params as params

    def fail(args):
        raise pd.errors.EmptyDataError("No columns to parse from file")

    monkeypatch.setattr(params, "run", fail)
    refused(["params"], capsys, tmp_path, "damaged", "EmptyDataError")


def test_the_api_names_a_model_class_it_cannot_load():
    with pytest.raises(ValueError, match="cannot be loaded"):
        run({"horizon_months": 12}, model_class="nosuch_module:Model")
