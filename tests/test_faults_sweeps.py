"""Fault injection for sweeps, reproduce, analyze and the processes they start.

Tampered sweep folders (a crafted model name with a recomputed fingerprint, missing, doubled and
foreign runs, a shuffled column of rows.parquet, an edited design or hash, truncated Parquet and
manifests), table designs with values the registry refuses, bad numeric options, two processes
on one sweep folder, and workers or servers whose parent is killed. Each case asks for the exit
code, one line without a traceback, and nothing changed outside the output folder (for
``reproduce``: nothing changed at all).
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow.parquet as pq
import pytest

from experiments.research.sweep.storage import design_hash, fingerprint
from tests.faultkit import (
    assert_one_line,
    ctrl_c_as_at_a_terminal,
    refused,
    run_cli,
    tree_digest,
)

ROOT = Path(__file__).resolve().parents[1]
BOX_TOML = str(ROOT / "tests" / "data" / "box.toml")
BOX = ["sweep", "--method", "morris", "--n", "4", "--replicates", "2", "--model",
       "tests.boxmodel:box", "--problem", BOX_TOML, "--chunk-rows", "5", "--quiet",
       "--workers", "1"]
SMALL = ("# a small, short network for fast tests\nname = 'small'\n[parameters]\n"
         "horizon_months = 30\nn_service_users = 30\nn_cbos = 8\n")
EVIL = "evil_payload"


def phase0_args(out: Path, scenario: str) -> list[str]:
    return ["sweep", "--method", "lhs", "--n", "4", "--replicates", "2", "--params",
            "trust_gain,kpi_tied,contract_months", "--scenario", scenario, "--out", str(out),
            "--quiet", "--workers", "1", "--chunk-rows", "2"]


@pytest.fixture(scope="module")
def box_master(tmp_path_factory) -> Path:
    """A finished Morris sweep of the cheap box model (20 rows, 2 replicates, 4 chunks)."""
    from experiments.cli import main

    out = tmp_path_factory.mktemp("box") / "sweep"
    assert main([*BOX, "--out", str(out)]) == 0
    return out


@pytest.fixture(scope="module")
def phase0_master(tmp_path_factory) -> Path:
    """A finished sweep of the phase0 model on a small network (the small_scenario's)."""
    from experiments.cli import main

    base = tmp_path_factory.mktemp("p0")
    (base / "small.toml").write_text(SMALL)
    out = base / "sweep"
    assert main(phase0_args(out, str(base / "small.toml"))) == 0
    return out


@pytest.fixture()
def box(box_master, tmp_path) -> Path:
    """A private copy of the box sweep, to tamper with."""
    return Path(shutil.copytree(box_master, tmp_path / "box"))


@pytest.fixture()
def evil(tmp_path, monkeypatch) -> Path:
    """A module whose import would leave a marker file: importing it is the failure."""
    (tmp_path / f"{EVIL}.py").write_text(
        "from pathlib import Path\n"
        f"Path({str(tmp_path / 'pwned')!r}).write_text('imported')\n"
        "def run(params, seed):\n    return {'hit': 1.0}\n"
        "class Model:\n    pass\n")
    monkeypatch.syspath_prepend(str(tmp_path))
    monkeypatch.chdir(tmp_path)
    yield tmp_path / "pwned"
    assert not (tmp_path / "pwned").exists(), "the crafted model was imported"
    assert EVIL not in sys.modules


# ---------------------------------------------------------------- tampering helpers


def manifest_of(folder: Path) -> dict:
    return json.loads((folder / "manifest.json").read_text())


def write_manifest(folder: Path, manifest: dict, refingerprint: bool = True) -> None:
    """Write ``manifest`` as a forger would: its fingerprint recomputed to match."""
    if refingerprint:
        manifest["fingerprint"] = fingerprint(manifest)
    (folder / "manifest.json").write_text(json.dumps(manifest, indent=2))


def edit_manifest(folder: Path, refingerprint: bool = True, **changes) -> None:
    m = manifest_of(folder)
    m.update(changes)
    write_manifest(folder, m, refingerprint)


def rewrite_parquet(path: Path, change: Callable[[pd.DataFrame], pd.DataFrame]) -> None:
    """Change a Parquet file's table, keeping its metadata (the fingerprint it records)."""
    import pyarrow as pa

    table = pq.read_table(path)
    meta = table.schema.metadata
    new = pa.Table.from_pandas(change(table.to_pandas()), preserve_index=False)
    pq.write_table(new.replace_schema_metadata({**(new.schema.metadata or {}), **meta}), path)


def truncate(path: Path) -> None:
    data = path.read_bytes()
    path.write_bytes(data[: len(data) // 2])


def damage_silently(path: Path) -> None:
    """Flip one byte of ``path`` where a reader without page checksums returns other numbers."""
    import pyarrow as pa

    data = path.read_bytes()
    clean = pq.read_table(path)
    for offset in range(4, len(data) - 8):
        damaged = bytearray(data)
        damaged[offset] ^= 0x55
        try:
            if not pq.read_table(pa.BufferReader(bytes(damaged))).equals(clean):
                path.write_bytes(bytes(damaged))
                return
        except Exception:  # noqa: BLE001 - damage a reader notices anyway: look further
            continue
    raise AssertionError(f"no silent damage found in {path}")


def shuffled(column: str) -> Callable[[pd.DataFrame], pd.DataFrame]:
    def change(df: pd.DataFrame) -> pd.DataFrame:
        df[column] = np.random.default_rng(1).permutation(df[column].to_numpy())
        return df
    return change


def _edit_design(folder: Path) -> None:
    rewrite_parquet(folder / "design.parquet",
                    lambda d: d.assign(a=d["a"].where(d.index != 3, 0.123)))


def _edit_design_and_hashes(folder: Path) -> None:
    _edit_design(folder)
    edit_manifest(folder, design_sha256=design_hash(pq.read_table(
        folder / "design.parquet").to_pandas()))


def _swap_chunk(folder: Path) -> None:
    shutil.copyfile(folder / "chunks" / "chunk-000000.parquet",
                    folder / "chunks" / "chunk-000001.parquet")


def _seeds(folder: Path) -> None:
    m = manifest_of(folder)
    edit_manifest(folder, run_seeds=[s + 1 for s in m["run_seeds"]])


MISMATCHES = {
    "results-missing-row": (lambda f: rewrite_parquet(
        f / "results.parquet", lambda d: d[d["row"] != 3]), "missing from results.parquet"),
    "results-doubled-run": (lambda f: rewrite_parquet(
        f / "results.parquet", lambda d: pd.concat([d, d.head(1)], ignore_index=True)),
        "more than once in results.parquet"),
    "results-foreign-run": (lambda f: rewrite_parquet(
        f / "results.parquet", lambda d: pd.concat([d, d.head(1).assign(row=999)],
                                                   ignore_index=True)), "not in the design"),
    "results-changed-value": (lambda f: rewrite_parquet(
        f / "results.parquet", lambda d: d.assign(hit=d["hit"].where(d.index != 5,
                                                                     1 - d["hit"]))),
        "differ in results.parquet"),
    "results-dropped-column": (lambda f: rewrite_parquet(
        f / "results.parquet", lambda d: d.drop(columns=["seed"])), "columns differ"),
    "rows-shuffled-column": (lambda f: rewrite_parquet(f / "rows.parquet", shuffled("mean_hit")),
                             "rows.parquet differs"),
    "rows-dropped-row": (lambda f: rewrite_parquet(f / "rows.parquet", lambda d: d.head(-1)),
                         "rows.parquet has"),
    "rows-csv-edited": (lambda f: (f / "rows.csv").write_text("row\n1\n"), "rows.csv"),
    "chunk-deleted": (lambda f: (f / "chunks" / "chunk-000002.parquet").unlink(),
                      "chunks 2 are missing"),
    "chunk-swapped": (_swap_chunk, "more than once in chunks/"),
    "chunk-stray": (lambda f: shutil.copyfile(f / "chunks" / "chunk-000000.parquet",
                                              f / "chunks" / "chunk-000009.parquet"),
                    "not a chunk of this design"),
    "design-edited": (_edit_design, "design_sha256"),
    "design-and-hashes-edited": (_edit_design_and_hashes, "does not follow from the manifest"),
    "design-sha-edited": (lambda f: edit_manifest(f, False, design_sha256="0" * 64),
                          "fingerprint does not match"),
    "design-sha-edited-refingerprinted": (lambda f: edit_manifest(f, design_sha256="0" * 64),
                                          "does not match the manifest's design_sha256"),
    "seed-edited-refingerprinted": (lambda f: edit_manifest(f, seed=7),
                                    "does not follow from the manifest"),
    "run-seeds-edited-refingerprinted": (_seeds, "differ in results.parquet"),
    "provenance-edited": (lambda f: edit_manifest(f, code_version="v0-forged"),
                          "provenance_sha256"),
    "fingerprint-edited": (lambda f: edit_manifest(f, False, fingerprint="f" * 64),
                           "fingerprint does not match"),
    "levels-edited-refingerprinted": (lambda f: edit_manifest(f, levels=6),
                                      "record another fingerprint"),
}


@pytest.mark.parametrize("case", MISMATCHES)
def test_reproduce_reports_each_tampering(case, box, capsys):
    tamper, needle = MISMATCHES[case]
    tamper(box)
    before = tree_digest(box.parent)
    code, out, err = run_cli(["reproduce", box, "--workers", "1", "--quiet", "--model",
                              "tests.boxmodel:box"], capsys)
    assert code == 1, err
    assert_one_line(err, "does not reproduce")
    assert needle in out, out
    assert tree_digest(box.parent) == before


def test_reproduce_of_an_untouched_sweep_passes_every_check(box, capsys):
    code, out, _ = run_cli(["reproduce", box, "--workers", "2", "--quiet", "--model",
                            "tests.boxmodel:box"], capsys)
    assert code == 0 and "all 20 design rows reproduced exactly" in out


def test_reproduce_checks_the_phase0_model_and_its_used_values(phase0_master, tmp_path, capsys):
    folder = Path(shutil.copytree(phase0_master, tmp_path / "p0"))
    assert run_cli(["reproduce", folder, "--workers", "1", "--quiet"], capsys)[0] == 0
    rewrite_parquet(folder / "results.parquet",
                    lambda d: d.assign(kpi_tied_used=1.0 - d["kpi_tied_used"]))
    code, out, _ = run_cli(["reproduce", folder, "--workers", "1", "--quiet"], capsys)
    assert code == 1 and "differ in results.parquet" in out
    refused(["reproduce", folder, "--quiet", "--model", "tests.boxmodel:box"], capsys, tmp_path,
            "ran the phase0 model itself", "drop --model")


# ---------------------------------------------------------------- folders that cannot be checked


UNUSABLE = {
    "missing-folder": (lambda f: shutil.rmtree(f), ["no sweep folder", "does not exist"]),
    "empty-folder": (lambda f: [shutil.rmtree(f), f.mkdir()], ["no manifest.json"]),
    "manifest-truncated": (lambda f: truncate(f / "manifest.json"),
                           ["manifest.json", "corrupt", "new folder"]),
    "manifest-not-an-object": (lambda f: (f / "manifest.json").write_text("[1, 2]"),
                               ["something other than"]),
    "manifest-field-forged": (lambda f: edit_manifest(f, chunk_rows="x"),
                              ["invalid field(s) chunk_rows"]),
    "manifest-seeds-forged": (lambda f: edit_manifest(f, run_seeds=[-1]),
                              ["invalid field(s) run_seeds"]),
    "chunk-truncated": (lambda f: truncate(f / "chunks" / "chunk-000001.parquet"),
                        ["chunk-000001.parquet", "corrupt", "--resume"]),
    "results-truncated": (lambda f: truncate(f / "results.parquet"),
                          ["results.parquet", "corrupt", "--resume"]),
    "rows-truncated": (lambda f: truncate(f / "rows.parquet"), ["rows.parquet", "corrupt"]),
    "design-truncated": (lambda f: truncate(f / "design.parquet"),
                         ["design.parquet", "corrupt", "new folder"]),
    "not-finished": (lambda f: (f / "results.parquet").unlink(), ["not a finished sweep"]),
    "manifest-binary": (lambda f: (f / "manifest.json").write_bytes(b"\xff\xfe\x00garbage"),
                        ["manifest.json", "corrupt"]),
    "chunk-damaged-inside": (lambda f: damage_silently(f / "chunks" / "chunk-000002.parquet"),
                             ["chunk-000002.parquet", "corrupt", "--resume"]),
    "results-damaged-inside": (lambda f: damage_silently(f / "results.parquet"),
                               ["results.parquet", "corrupt", "--resume"]),
    "rows-damaged-inside": (lambda f: damage_silently(f / "rows.parquet"),
                            ["rows.parquet", "corrupt"]),
}


@pytest.mark.parametrize("case", UNUSABLE)
def test_reproduce_refuses_a_folder_it_cannot_check(case, box, capsys):
    tamper, needles = UNUSABLE[case]
    tamper(box)
    refused(["reproduce", box, "--quiet", "--workers", "1", "--model", "tests.boxmodel:box"],
            capsys, box.parent, *needles)


MODEL_REFUSALS = {
    "no-model-named": ([], ["pass --model tests.boxmodel:box"]),
    "another-model-named": (["--model", "tests.boxmodel:noise"], ["is not the model"]),
    "model-class-named": (["--model", "tests.boxmodel:box", "--model-class",
                           "simulation.model:PhaseZeroModel"], ["drop --model-class"]),
}


@pytest.mark.parametrize("case", MODEL_REFUSALS)
def test_reproduce_runs_another_model_only_when_named_again(case, box, capsys):
    extra, needles = MODEL_REFUSALS[case]
    refused(["reproduce", box, "--quiet", *extra], capsys, box.parent, *needles)


@pytest.mark.parametrize("field,option", [("model", "--model"), ("model_class", "--model-class")])
@pytest.mark.parametrize("command", ["reproduce", "merge", "analyze-oat"])
def test_a_crafted_model_name_is_never_imported(field, option, command, box, evil, capsys):
    m = manifest_of(box)
    if field == "model":
        m.update(model=f"{EVIL}:run")
    else:
        m.update(model=None, model_class=f"{EVIL}:Model", model_class_sha256=None,
                 base={"n_cbos": 8})
    write_manifest(box, m)  # the forger recomputes the fingerprint
    for p in [*box.glob("*.parquet"), *box.glob("chunks/*.parquet")]:  # and every file's
        table = pq.read_table(p)
        meta = {**table.schema.metadata, b"phase0_fingerprint": m["fingerprint"].encode()}
        pq.write_table(table.replace_schema_metadata(meta), p)
    argv = {"reproduce": ["reproduce", box, "--quiet"],
            "merge": ["sweep", "--merge", box, "--out", box.parent / "merged"],
            "analyze-oat": ["analyze", box, "--oat", "2"]}[command]
    if command != "reproduce" and field == "model":
        # merging and analysing run no other model: they go on (analyze --oat then says it
        # draws curves for phase0 only), and nothing is imported (the fixture checks)
        code, _, err = run_cli(argv, capsys)
        assert code == (0 if command == "merge" else 2) and "Traceback" not in err
        return
    refused(argv, capsys, box.parent, f"{option} {EVIL}:", "imports no code")


# ---------------------------------------------------------------- resume, merge, analyze, locks


def resume(folder: Path) -> list:
    return [*BOX, "--out", folder, "--resume"]


def test_resume_refuses_a_truncated_chunk_and_says_how_to_recover(box, capsys):
    truncate(box / "chunks" / "chunk-000001.parquet")
    refused(resume(box), capsys, box.parent, "chunk-000001.parquet", "delete it", "--resume")


def test_resume_refuses_an_edited_design(box, capsys):
    _edit_design(box)
    refused(resume(box), capsys, box.parent, "design.parquet", "design_sha256")


def test_resume_reassembles_a_deleted_rows_table(box, capsys):
    before = pq.read_table(box / "rows.parquet").to_pandas()
    (box / "rows.parquet").unlink()
    assert run_cli(resume(box), capsys)[0] == 0
    assert pq.read_table(box / "rows.parquet").to_pandas().equals(before)


def test_resume_of_a_folder_holding_a_crafted_model_is_refused_unimported(box, evil, capsys):
    edit_manifest(box, model=f"{EVIL}:run")
    refused(resume(box), capsys, box.parent, "holds a different sweep")


@pytest.mark.parametrize("command", ["resume", "merge"])
def test_a_second_process_on_a_locked_folder_is_refused(command, box, capsys):
    import fcntl

    fd = os.open(box / ".lock", os.O_RDWR | os.O_CREAT)
    fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    os.write(fd, b"4242\n")
    try:
        argv = resume(box) if command == "resume" else ["sweep", "--merge", box, "--out", box]
        refused(argv, capsys, box.parent, str(box), "in use by another phase0 process",
                "pid 4242")
    finally:
        os.close(fd)
    assert run_cli(resume(box), capsys)[0] == 0  # the lock died with its holder
    assert not (box / ".lock").exists()


@pytest.mark.parametrize("case,needles", [
    ("rows-truncated", ["rows.parquet", "corrupt"]),
    ("rows-damaged-inside", ["rows.parquet", "corrupt"]),
    ("missing-folder", ["does not exist"]),
    ("manifest-truncated", ["manifest.json", "corrupt"]),
])
def test_analyze_refuses_a_damaged_folder(case, needles, box, capsys):
    UNUSABLE[case][0](box)
    refused(["analyze", box, "--resamples", "10"], capsys, box.parent, *needles)


def test_merge_refuses_a_truncated_shard_chunk(box, tmp_path, capsys):
    truncate(box / "chunks" / "chunk-000003.parquet")
    refused(["sweep", "--merge", box, "--out", tmp_path / "merged"], capsys, tmp_path,
            "chunk-000003.parquet", "corrupt", out=tmp_path / "merged")


# ---------------------------------------------------------------- table designs


TABLES = {
    "float-for-int": ("n_cbos,trust_gain\n2.5,0.03\n", ["row 0", "'n_cbos'", "whole number"]),
    "fraction-for-bool": ("kpi_tied\n0\n0.7\n", ["row 1", "'kpi_tied'", "true or false"]),
    "two-for-bool": ("kpi_tied\n2\n", ["'kpi_tied'", "true or false"]),
    "word-for-bool": ("kpi_tied\nmaybe\n", ["'kpi_tied'", "true or false"]),
    "below-range": ("trust_gain\n-0.1\n", ["'trust_gain'", "out of range"]),
    "above-range": ("n_cbos\n100000\n", ["'n_cbos'", "out of range"]),
    "int-below-range": ("contract_months\n12\n0\n", ["row 1", "'contract_months'",
                                                     "out of range"]),
    "unknown-column": ("trust_gian\n0.03\n", ["'trust_gian'", "unknown parameter"]),
    "empty-cell": ("trust_gain,n_cbos\n0.03,8\n,8\n", ["row 1", "'trust_gain'", "finite"]),
    "empty-cell-in-int": ("trust_gain,n_cbos\n0.03,\n0.04,8\n", ["row 0", "'n_cbos'"]),
    "nan-written": ("trust_gain\nnan\n", ["'trust_gain'", "finite"]),
    "text-for-number": ("trust_gain\nhigh\n", ["'trust_gain'", "must be a number"]),
    "dummy-column": ("dummy\n0.5\n", ["'dummy' is added to every design"]),
    "header-only": ("trust_gain\n", ["at least one column and one row"]),
    "bad-combination": ("share_users_no_cbo,share_users_two_cbos\n0.8,0.5\n",
                        ["must not exceed 1"]),
}


@pytest.mark.parametrize("case", TABLES)
def test_table_designs_are_checked_like_set(case, small_scenario, tmp_path, capsys):
    text, needles = TABLES[case]
    design = tmp_path / "design.csv"
    design.write_text(text)
    out = tmp_path / "out"
    refused(["sweep", "--method", "table", "--design", design, "--scenario", small_scenario,
             "--out", out, "--quiet"], capsys, tmp_path, *needles)
    assert not out.exists()


def test_a_valid_table_runs_the_values_it_records(small_scenario, tmp_path, capsys):
    design = tmp_path / "design.csv"
    design.write_text("n_cbos,kpi_tied,trust_gain\n3,true,0.03\n4.0,no,0.04\n")
    out = tmp_path / "out"
    assert run_cli(["sweep", "--method", "table", "--design", design, "--scenario",
                    small_scenario, "--out", out, "--quiet", "--replicates", "1",
                    "--workers", "1"], capsys)[0] == 0
    res = pq.read_table(out / "results.parquet").to_pandas()
    assert res["n_cbos"].tolist() == res["n_cbos_used"].tolist() == [3.0, 4.0]
    assert res["kpi_tied"].tolist() == res["kpi_tied_used"].tolist() == [1.0, 0.0]


# ---------------------------------------------------------------- numeric options


OPTIONS = [
    (["sweep", "--chunk-rows", "-1"], "--chunk-rows"),
    (["sweep", "--chunk-rows", "0"], "--chunk-rows"),
    (["sweep", "--chunk-rows", "two"], "--chunk-rows"),
    (["sweep", "--levels", "1"], "--levels"),
    (["sweep", "--levels", "0"], "--levels"),
    (["sweep", "--n", "0"], "--n"),
    (["sweep", "--n", "-3"], "--n"),
    (["sweep", "--seed-set", "0"], "--seed-set"),
    (["sweep", "--memory-per-worker", "0"], "--memory-per-worker"),
    (["sweep", "--workers", "0"], "--workers"),
    (["analyze", "F", "--resamples", "0"], "--resamples"),
    (["analyze", "F", "--resamples", "-5"], "--resamples"),
    (["analyze", "F", "--oat", "-1"], "--oat"),
    (["reproduce", "F", "--workers", "0"], "--workers"),
]


@pytest.mark.parametrize("argv,option", OPTIONS, ids=[" ".join(a[1:]) for a, _ in OPTIONS])
def test_bad_numeric_options_are_one_line(argv, option, tmp_path, capsys):
    argv = [str(tmp_path / "s") if a == "F" else a for a in argv]
    if argv[0] == "sweep":
        argv += ["--method", "morris", "--out", str(tmp_path / "s")]
    refused(argv, capsys, tmp_path, option)


# ---------------------------------------------------------------- processes


def _env() -> dict[str, str]:
    return {**os.environ, "PYTHONPATH": str(ROOT)}


def children(pid: int) -> list[int]:
    """Live processes whose parent is ``pid``."""
    out = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                stat = (entry / "stat").read_text()
            except OSError:
                continue
            fields = stat.rsplit(")", 1)[1].split()
            if int(fields[1]) == pid and fields[0] != "Z":
                out.append(int(entry.name))
    return out


def alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state != "Z"


def wait_for(predicate: Callable[[], bool], timeout: float) -> bool:
    deadline = time.time() + timeout
    while time.time() < deadline:
        if predicate():
            return True
        time.sleep(0.05)
    return predicate()


def start(argv: list, cwd: Path) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, "-m", "experiments.cli", *map(str, argv)],
                            cwd=cwd, env=_env(), stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True, start_new_session=True,
                            preexec_fn=ctrl_c_as_at_a_terminal)


def reap(proc: subprocess.Popen, pids: list[int]) -> None:
    """Make sure nothing a test started outlives it, whatever the test found."""
    for pid in [proc.pid, *pids]:
        try:
            os.kill(pid, signal.SIGKILL)
        except (ProcessLookupError, PermissionError):
            pass
    proc.communicate(timeout=10)


needs_linux = pytest.mark.skipif(not sys.platform.startswith("linux"),
                                 reason="parent-death signals and /proc are Linux's")


def slow_sweep(out: Path) -> list:
    return ["sweep", "--method", "lhs", "--n", "40", "--replicates", "1", "--model",
            "tests.slowmodel:slow", "--problem", BOX_TOML, "--chunk-rows", "1", "--workers", "2",
            "--out", out, "--quiet"]


@needs_linux
@pytest.mark.parametrize("how", ["kill-9", "sigterm", "sigint"])
def test_sweep_workers_die_with_their_parent(how, tmp_path):
    out = tmp_path / "s"
    proc = start(slow_sweep(out), tmp_path)
    workers: list[int] = []
    try:
        assert wait_for(lambda: len(list(out.glob("chunks/chunk-*.parquet"))) >= 1, 60)
        workers = children(proc.pid)
        assert len(workers) >= 2, workers
        sig = {"kill-9": signal.SIGKILL, "sigterm": signal.SIGTERM, "sigint": signal.SIGINT}
        os.kill(proc.pid, sig[how])
        assert wait_for(lambda: not any(alive(w) for w in workers), 10), "workers outlived it"
        code = proc.wait(timeout=20)
        _, err = proc.communicate(timeout=10)
    finally:
        reap(proc, workers)
    if how == "kill-9":
        assert code == -signal.SIGKILL
    else:
        kept = len(list(out.glob("chunks/chunk-*.parquet")))
        assert code == (143 if how == "sigterm" else 130)
        assert_one_line(err, f"{kept} of 40 finished chunks are kept", "--resume")
        assert not (out / ".lock").exists()


@needs_linux
@pytest.mark.parametrize("how", ["kill-9", "sigterm"])
def test_compare_workers_die_with_their_parent(how, tmp_path):
    # enough runs that it cannot finish before the signal, however loaded the machine
    proc = start(["compare", "--scenarios", "tpn_baseline", "--parameter-sets", "defaults",
                  "--replicates", "20000", "--workers", "2", "--out", tmp_path / "c",
                  "--quiet"], tmp_path)
    workers: list[int] = []
    try:
        assert wait_for(lambda: len(children(proc.pid)) >= 2, 60)
        workers = children(proc.pid)
        os.kill(proc.pid, signal.SIGKILL if how == "kill-9" else signal.SIGTERM)
        assert wait_for(lambda: not any(alive(w) for w in workers), 10), "workers outlived it"
        code = proc.wait(timeout=20)
        _, err = proc.communicate(timeout=10)
    finally:
        reap(proc, workers)
    if how == "sigterm":
        assert code == 143
        assert_one_line(err, "terminated")
    assert not (tmp_path / "c").exists()


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@needs_linux
def test_dashboard_server_dies_with_its_parent(tmp_path):
    pytest.importorskip("solara")
    proc = start(["dashboard", "--port", free_port()], tmp_path)
    servers: list[int] = []
    try:
        assert wait_for(lambda: bool(children(proc.pid)), 30)
        servers = children(proc.pid)
        os.kill(proc.pid, signal.SIGKILL)
        assert wait_for(lambda: not any(alive(s) for s in servers), 10), "server outlived it"
    finally:
        reap(proc, servers)


def test_dashboard_refuses_a_busy_port_before_serving(tmp_path, capsys):
    pytest.importorskip("solara")
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        code, out, err = run_cli(["dashboard", "--port", port], capsys)
    assert code == 2 and "serving on" not in out
    assert_one_line(err, f"port {port}", "--port")


@pytest.mark.parametrize("host,warned", [("0.0.0.0", True), ("127.0.0.1", False),
                                         ("localhost", False)])
def test_dashboard_warns_when_reachable_from_the_network(host, warned, monkeypatch, capsys):
    pytest.importorskip("solara")
    started: list[list[str]] = []

    class Server:  # no real server: the warning comes before it
        pid = -1

        def __init__(self, command: list[str], **_: object) -> None:
            started.append(command)

        def wait(self, timeout: float | None = None) -> int:
            return 0

        def poll(self) -> int:
            return 0

    monkeypatch.setattr(subprocess, "Popen", Server)
    code, _, err = run_cli(["dashboard", "--host", host, "--port", free_port()], capsys)
    assert code == 0 and started
    if warned:
        assert_one_line(err, "warning", host, "reachable from the network")
    else:
        assert "warning" not in err


def test_dashboard_refuses_a_host_that_is_no_address(capsys, tmp_path):
    pytest.importorskip("solara")
    refused(["dashboard", "--host", "no such host!"], capsys, tmp_path, "--host")
