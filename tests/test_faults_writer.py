"""Fault injection: the result-folder writer (issue 18, "safe by default").

Every command that writes a folder goes through :mod:`experiments.support.outputs`. Each case
gives a command a folder it must not touch (a user's folder, the current, parent, home or root
folder, a folder holding its input, a file), a race at the final rename (forced with the
``_before_rename`` hook, not timing), a disk that fails (an ``OSError`` injected by
monkeypatching, not a full disk) or the leftovers of a killed writer, and checks the exit code,
the one-line message, the absence of a traceback and that nothing else changed. Refusals come
before any simulation, so the cases stay fast.
"""

from __future__ import annotations

import errno
import json
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

import pytest

from experiments.research.sweep.storage import remove_sweep
from experiments.support import outputs
from experiments.support.outputs import UserError, written_by_phase0
from tests.faultkit import assert_one_line, refused, run_cli, tree_digest

ROOT = Path(__file__).resolve().parents[1]
TINY = ["--set", "horizon_months=12", "--set", "n_service_users=20"]
SCENARIO = ("# a small, short network\nname = 'mine'\n[parameters]\nhorizon_months = 12\n"
            "n_service_users = 20\nn_cbos = 6\n")
MARKED = {"written_by": "phase0", "command": "phase0 run"}


# ---------------------------------------------------------------- the commands, tiny


def argv(name: str, out: Path | str, *, overwrite: bool = False, scenario: str | None = None,
         sweep: Path | None = None, work: Path | None = None) -> list[str]:
    """``phase0 NAME`` writing ``out``, with settings small enough to fail (or run) fast."""
    sc = ["--scenario", scenario] if scenario else []
    base = {
        "run": ["run", *TINY, *sc],
        "compare": ["compare", "--scenarios", scenario or "tpn_baseline", "--parameter-sets",
                    "defaults", "--replicates", "1", *TINY, "--workers", "1", "--quiet"],
        "ablations": ["ablations", *sc, "--replicates", "2", "--horizon", "12", "--workers", "1",
                      "--quiet"],
        "robustness": ["robustness", "--scenarios", scenario or "tpn_baseline", "--seeds", "2",
                       "--recheck-seeds", "2", "--horizon", "12", "--workers", "1", "--quiet"],
        "calibrate": ["calibrate", "--workers", "1", "--quiet"],
        "explore": ["explore", "funding", *sc, "--parameter-sets", "defaults", "--replicates",
                    "1", "--horizon", "12", "--workers", "1", "--quiet", "--work",
                    str(work or "work")],
        "brief": ["brief", "--parameter-sets", "defaults", *sc],
        "discover": ["discover", str(sweep), "--target", "engagement_months <= 60"],
        "analyze": ["analyze", str(sweep)],
        "sweep": ["sweep", "--method", "lhs", "--n", "2", "--replicates", "1", "--workers", "1",
                  "--quiet", *sc],
    }[name]
    # analyze writes a subfolder of the sweep: an absolute path puts it anywhere
    flag = "--output" if name == "analyze" else "--out"
    wants = ["--overwrite"] if overwrite and name != "sweep" else []  # a sweep never replaces
    return [*base, flag, str(out), *wants]


COMMANDS = ("run", "compare", "ablations", "robustness", "calibrate", "explore", "brief",
            "discover", "analyze", "sweep")


@pytest.fixture(scope="module")
def sweep(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A finished, tiny Morris sweep (for discover and analyze), written once."""
    from experiments.cli import main

    where = tmp_path_factory.mktemp("shared")
    (where / "small.toml").write_text(SCENARIO)
    folder = where / "sweep"
    assert main(["sweep", "--method", "morris", "--n", "2", "--replicates", "1", "--params",
                 "trust_gain,venue_effect", "--scenario", str(where / "small.toml"), "--out",
                 str(folder), "--quiet", "--workers", "1"]) == 0
    return folder


@pytest.fixture(autouse=True)
def no_figures(monkeypatch: pytest.MonkeyPatch) -> None:
    """Figures stand in as tiny files: drawing them is slow and no business of the writer."""
    import experiments.research.compare as compare
    import experiments.support.figures as figures

    def figure(*args: Any, **kwargs: Any) -> None:
        next(a for a in args if isinstance(a, Path)).write_bytes(b"png")

    for module, name in ((figures, "plot_run"), (compare, "plot_km"),
                         (compare, "plot_trajectories")):
        monkeypatch.setattr(module, name, figure)


@pytest.fixture()
def here(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A working folder of its own, with an unrelated file to be left alone."""
    monkeypatch.chdir(tmp_path)
    (tmp_path / "notes.txt").write_text("mine\n")
    return tmp_path


def mark(folder: Path, manifest: dict[str, Any] | None = None) -> Path:
    """``folder`` made to look written by phase0 (or by whatever ``manifest`` says)."""
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "manifest.json").write_text(json.dumps(MARKED if manifest is None else manifest))
    (folder / "old_result.csv").write_text("a\n1\n")
    return folder


def user_folder(folder: Path) -> Path:
    """A folder of the user's own, holding something precious."""
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "thesis.txt").write_text("precious\n")
    return folder


# ---------------------------------------------------------------- bad folders x commands


KINDS = ("user", "user_overwrite", "cwd", "parent", "home", "root", "input", "file")
# analyze's --output lies inside the sweep; a sweep has no --overwrite; calibrate reads no file
SKIP = {("analyze", "cwd"), ("analyze", "parent"), ("sweep", "user_overwrite"),
        ("calibrate", "input")}


@pytest.mark.parametrize(("name", "kind"), [(n, k) for n in COMMANDS for k in KINDS
                                            if (n, k) not in SKIP])
def test_bad_output_folders_are_refused(name: str, kind: str, here: Path, sweep: Path,
                                        monkeypatch: pytest.MonkeyPatch,
                                        capsys: pytest.CaptureFixture[str]) -> None:
    root, scenario, needles = here, None, []
    cwd = here
    if kind in ("user", "user_overwrite"):
        out = user_folder(here / "D").resolve()
        needles = ([f"'{out}'"]
                   + (["holds no phase0 sweep"] if name == "sweep" else
                      ["--overwrite"] if kind == "user" else ["not written by phase0"]))
    elif kind == "cwd":
        out, needles = Path("."), ["current folder"] if name != "sweep" else ["'.'"]
    elif kind == "parent":
        cwd = here / "a" / "b"
        cwd.mkdir(parents=True)
        mark(here / "a")
        monkeypatch.chdir(cwd)
        out, needles = Path(".."), ["current folder"] if name != "sweep" else ["'..'"]
    elif kind == "home":
        home = mark(here / "home")
        monkeypatch.setenv("HOME", str(home))
        cwd = here / "elsewhere"
        cwd.mkdir()
        monkeypatch.chdir(cwd)
        out, needles = home, ["home folder"] if name != "sweep" else ["home"]
    elif kind == "root":
        out, needles = Path("/"), ["root folder"] if name != "sweep" else ["'/'"]
    elif kind == "input" and name in ("discover", "analyze"):
        out, root, needles = sweep, sweep.parent, ["holds", "reads"]
    elif kind == "input":
        proj = mark(here / "proj")
        (proj / "mine.toml").write_text(SCENARIO)
        out, scenario = proj, str(proj / "mine.toml")
        needles = ["proj"] + ([] if name == "sweep" else ["holds", "reads"])
    else:  # an existing file
        out = here / "F"
        out.write_text("not a folder\n")
        needles = ["F", "not a folder"]
    line = refused(argv(name, out, overwrite=kind != "user", scenario=scenario, sweep=sweep,
                        work=here / "work"), capsys, root, *needles)
    assert f"phase0 {name.split()[0]}: error:" in line
    assert not list(here.rglob(".*.tmp-*")), "a temporary folder was left behind"


@pytest.mark.parametrize("name", ["run", "compare", "ablations", "robustness", "brief",
                                  "explore"])
def test_a_folder_holding_the_input_is_refused_even_if_phase0_wrote_it(
        name: str, here: Path, capsys: pytest.CaptureFixture[str]) -> None:
    # the scenario deep inside the folder: 'run --scenario proj/x/y/mine.toml --out proj'
    proj = mark(here / "proj")
    deep = proj / "x" / "y"
    deep.mkdir(parents=True)
    (deep / "mine.toml").write_text(SCENARIO)
    refused(argv(name, proj, overwrite=True, scenario=str(deep / "mine.toml"),
                 work=here / "work"), capsys, here, "proj", "mine.toml")


def test_explore_never_replaces_a_folder_holding_its_sweeps(
        here: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = mark(here / "funding")
    refused(argv("explore", out, overwrite=True, work=out / "work"), capsys, here,
            "funding", "holds")


def test_a_symbolic_link_is_refused_as_output(here: Path,
                                              capsys: pytest.CaptureFixture[str]) -> None:
    real = mark(here / "real")
    (here / "link").symlink_to(real, target_is_directory=True)
    refused(argv("run", here / "link", overwrite=True), capsys, here, "link",
            "symbolic link")


# ---------------------------------------------------------------- the marker


LEGACY = {  # folders phase0 wrote before manifests carried the marker (docs: "Output folders")
    "marked": {"manifest.json": MARKED},
    "legacy_manifest": {"manifest.json": {"command": "phase0 compare --out x",
                                          "code_version": "abc", "packages": {}}},
    "legacy_no_command": {"manifest.json": {"target": "t", "code_version": "abc",
                                            "packages": {}}},
    "legacy_run_summary": {"summary.json": {"command": "phase0 run --seed 0",
                                            "code_version": "abc", "packages": {}}},
    "legacy_sensitivity": {"sweep_manifest.json": {"format": "phase0-sweep/1",
                                                   "command": "phase0 ", "code_version": "a",
                                                   "packages": {}}},
    "legacy_brief": {"brief.html": "<!DOCTYPE html>\n<title>phase0 policy brief: x</title>"},
}
FORGED = {  # look a little like phase0's, but are not
    "other_writer": {"manifest.json": {"written_by": "someone else"}},
    "other_command": {"manifest.json": {"command": "make all", "code_version": "abc",
                                        "packages": {}}},
    "no_provenance": {"manifest.json": {"command": "phase0 run"}},
    "summary_without_provenance": {"summary.json": {"command": "phase0 run"}},
    "corrupt_manifest": {"manifest.json": "{not json"},
    "list_manifest": {"manifest.json": ["written_by", "phase0"]},
    "brief_and_more": {"brief.html": "<title>phase0 policy brief</title>",
                       "thesis.txt": "precious"},
    "other_html": {"brief.html": "<title>my own brief</title>"},
}


def _folder(path: Path, files: dict[str, Any]) -> Path:
    path.mkdir()
    for name, content in files.items():
        (path / name).write_text(content if isinstance(content, str) else json.dumps(content))
    return path


@pytest.mark.parametrize("kind", sorted(LEGACY))
def test_a_folder_phase0_wrote_is_replaced_with_overwrite(
        kind: str, here: Path, capsys: pytest.CaptureFixture[str]) -> None:
    # an old result beside the manifest (a brief-only folder is phase0's only while alone)
    old = {} if kind == "legacy_brief" else {"old_result.csv": "a\n1\n"}
    out = _folder(here / "R", {**LEGACY[kind], **old})
    before = tree_digest(here, skip=[out])
    code, stdout, err = run_cli(argv("run", out, overwrite=True), capsys)
    assert code == 0, err
    assert f"wrote {out}/" in stdout
    assert not (set(LEGACY[kind]) | set(old)) - {"manifest.json", "summary.json"} & {
        p.name for p in out.iterdir()}, "the old files are gone"
    assert json.loads((out / "manifest.json").read_text())["written_by"] == "phase0"
    assert tree_digest(here, skip=[out]) == before


@pytest.mark.parametrize("kind", sorted(FORGED))
def test_a_folder_phase0_did_not_write_is_kept_even_with_overwrite(
        kind: str, here: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = _folder(here / "R", FORGED[kind])
    refused(argv("run", out, overwrite=True), capsys, here, "'", "not written by phase0")


def test_every_result_folder_phase0_writes_carries_the_marker(
        here: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert run_cli(argv("run", here / "R"), capsys)[0] == 0
    assert run_cli(argv("compare", here / "C"), capsys)[0] == 0
    assert run_cli(argv("sweep", here / "S"), capsys)[0] == 0
    for folder in ("R", "C", "S"):
        manifest = json.loads((here / folder / "manifest.json").read_text())
        assert manifest["written_by"] == "phase0" and written_by_phase0(here / folder)


COMMITTED = sorted({str(Path(p).parent) for p in subprocess.run(
    ["git", "ls-files", "results", "experiments/calibration"], cwd=ROOT, capture_output=True,
    text=True).stdout.split() if Path(p).name in
    ("manifest.json", "summary.json", "sweep_manifest.json", "brief.html")})


@pytest.mark.parametrize("folder", COMMITTED)
def test_committed_result_folders_count_as_written_by_phase0(folder: str) -> None:
    # so that the make targets, which pass --overwrite, can rewrite them
    assert written_by_phase0(ROOT / folder), folder


def test_make_targets_that_rewrite_a_committed_folder_pass_overwrite() -> None:
    lines = [line.strip() for line in (ROOT / "Makefile").read_text().splitlines()
             if "$(BIN)/phase0 " in line]
    writers = [line for line in lines if any(f"phase0 {c}" in line for c in (
        "run", "compare", "calibrate", "ablations", "robustness", "explore", "discover",
        "brief", "sensitivity-study"))]
    assert writers and all("--overwrite" in line for line in writers), writers


# ---------------------------------------------------------------- races at the rename


def _hook(monkeypatch: pytest.MonkeyPatch, action: Any) -> None:
    def hook(tmp: Path, target: Path) -> None:
        action(target)

    monkeypatch.setattr(outputs, "_before_rename", hook)


@pytest.mark.parametrize("name", ["run", "compare", "sweep"])
def test_a_folder_that_appears_while_writing_is_kept_and_so_is_the_result(
        name: str, here: Path, monkeypatch: pytest.MonkeyPatch,
        capsys: pytest.CaptureFixture[str]) -> None:
    out = here / "R"
    _hook(monkeypatch, user_folder)
    code, stdout, err = run_cli(argv(name, out), capsys)
    assert code == 2 and "wrote" not in stdout
    assert_one_line(err, "'" + str(out) + "'", "appeared while writing", "R-new")
    assert (out / "thesis.txt").read_text() == "precious\n"
    assert json.loads((here / "R-new" / "manifest.json").read_text())["written_by"] == "phase0"
    assert not list(here.glob(".R.*"))


def test_two_results_racing_for_one_folder_never_lose_either(
        here: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    from experiments.cli import main

    out = here / "R"
    # the second run finishes first, while the first one is at its rename
    _hook(monkeypatch, lambda target: (monkeypatch.setattr(outputs, "_before_rename",
                                                           lambda *a: None),
                                       main([*argv("run", target), "--seed", "1"])))
    code, _, err = run_cli(argv("run", out), capsys)
    assert code == 2 and "appeared while writing" in err
    assert json.loads((out / "summary.json").read_text())["seed"] == 1
    assert json.loads((here / "R-new" / "summary.json").read_text())["seed"] == 0


def test_a_result_kept_beside_takes_the_next_free_name(
        here: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    user_folder(here / "R-new")
    _hook(monkeypatch, user_folder)
    code, _, err = run_cli(argv("run", here / "R"), capsys)
    assert code == 2 and "R-new-2" in err and (here / "R-new-2" / "summary.json").exists()
    assert (here / "R-new" / "thesis.txt").exists()


@pytest.mark.parametrize("what", ["empty folder", "file"])
def test_an_empty_folder_appearing_is_used_a_file_is_kept(
        what: str, here: Path, monkeypatch: pytest.MonkeyPatch,
        capsys: pytest.CaptureFixture[str]) -> None:
    out = here / "R"
    _hook(monkeypatch, lambda t: t.mkdir() if what == "empty folder" else t.write_text("x"))
    code, _, err = run_cli(argv("run", out), capsys)
    if what == "empty folder":
        assert code == 0 and (out / "manifest.json").exists()
    else:
        assert code == 2 and out.read_text() == "x" and (here / "R-new").is_dir()
        assert_one_line(err, "appeared while writing")


def _swap_for_user_folder(target: Path) -> None:
    shutil.rmtree(target)
    user_folder(target)


@pytest.mark.parametrize("name", ["run", "compare"])
def test_a_phase0_folder_swapped_for_a_user_folder_while_writing_is_not_replaced(
        name: str, here: Path, monkeypatch: pytest.MonkeyPatch,
        capsys: pytest.CaptureFixture[str]) -> None:
    out = mark(here / "R")
    _hook(monkeypatch, _swap_for_user_folder)
    code, _, err = run_cli(argv(name, out, overwrite=True), capsys)
    assert code == 2
    assert_one_line(err, "changed while writing", "R-new")
    assert (out / "thesis.txt").read_text() == "precious\n"
    assert (here / "R-new" / "manifest.json").exists()
    assert not list(here.glob(".R.*")), "the moved-aside folder was not put back"


@pytest.mark.parametrize("change", ["removed", "emptied"])
def test_a_phase0_folder_removed_while_writing_is_replaced(
        change: str, here: Path, monkeypatch: pytest.MonkeyPatch,
        capsys: pytest.CaptureFixture[str]) -> None:
    out = mark(here / "R")

    def act(target: Path) -> None:
        shutil.rmtree(target)
        if change == "emptied":
            target.mkdir()

    _hook(monkeypatch, act)
    code, _, err = run_cli(argv("run", out, overwrite=True), capsys)
    assert code == 0, err
    assert not (out / "old_result.csv").exists() and (out / "summary.json").exists()
    assert not list(here.glob(".R.*"))


@pytest.mark.parametrize("change", ["rewritten by phase0", "created by phase0"])
def test_a_result_another_command_wrote_meanwhile_is_never_replaced(
        change: str, here: Path, monkeypatch: pytest.MonkeyPatch,
        capsys: pytest.CaptureFixture[str]) -> None:
    # two 'phase0 run --out R --overwrite' at once: the second to finish must not lose the first
    out = here / "R"
    if change == "rewritten by phase0":
        mark(out)

    def act(target: Path) -> None:
        shutil.rmtree(target, ignore_errors=True)
        mark(target)
        (target / "other_result.csv").write_text("theirs")

    _hook(monkeypatch, act)
    code, _, err = run_cli(argv("run", out, overwrite=True), capsys)
    assert code == 2, err
    assert_one_line(err, "written again by another command", "R-new")
    assert (out / "other_result.csv").read_text() == "theirs"
    assert (here / "R-new" / "summary.json").exists()
    assert not list(here.glob(".R.*"))


def test_a_folder_filled_between_moving_the_old_one_aside_and_the_rename_is_kept(
        here: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    out = mark(here / "R")
    aside = outputs._aside

    def aside_then_fill(path: Path) -> Path:
        old = aside(path)
        user_folder(path)  # another writer gets in between the two renames
        return old

    monkeypatch.setattr(outputs, "_aside", aside_then_fill)
    code, _, err = run_cli(argv("run", out, overwrite=True), capsys)
    assert code == 2
    assert_one_line(err, "appeared while writing", "R-new", "R-old")
    assert (out / "thesis.txt").exists() and (here / "R-new" / "summary.json").exists()
    assert (here / "R-old" / "old_result.csv").exists() and not list(here.glob(".R.*"))


# ---------------------------------------------------------------- a failing disk


ERRNOS = [errno.ENOSPC, errno.EROFS, errno.EBUSY]


def _fail(code: int, path: object) -> OSError:
    return OSError(code, os.strerror(code), str(path))


def _inject(monkeypatch: pytest.MonkeyPatch, where: str, code: int) -> None:
    if where == "creating":
        def mkdtemp(*args: Any, **kwargs: Any) -> str:
            raise _fail(code, kwargs.get("dir", "?"))

        monkeypatch.setattr(tempfile, "mkdtemp", mkdtemp)
    elif where == "writing":
        write_text = Path.write_text

        def failing(self: Path, *args: Any, **kwargs: Any) -> int:
            if ".tmp-" in str(self):
                raise _fail(code, self)
            return write_text(self, *args, **kwargs)

        monkeypatch.setattr(Path, "write_text", failing)
    else:
        rename = os.rename

        def failing_rename(src: Any, dst: Any, *args: Any, **kwargs: Any) -> None:
            if ".tmp-" in str(src):
                raise _fail(code, src)
            rename(src, dst, *args, **kwargs)

        monkeypatch.setattr(os, "rename", failing_rename)


@pytest.mark.parametrize("code", ERRNOS, ids=errno.errorcode.get)
@pytest.mark.parametrize("where", ["creating", "writing", "renaming"])
@pytest.mark.parametrize("name", ["run", "compare", "sweep"])
def test_a_failing_disk_is_one_line_and_leaves_nothing(
        name: str, where: str, code: int, here: Path, monkeypatch: pytest.MonkeyPatch,
        capsys: pytest.CaptureFixture[str]) -> None:
    _inject(monkeypatch, where, code)
    refused(argv(name, here / "R"), capsys, here, os.strerror(code), "R")
    assert not (here / "R").exists()


@pytest.mark.parametrize("code", ERRNOS, ids=errno.errorcode.get)
@pytest.mark.parametrize("where", ["writing", "renaming"])
def test_a_failing_disk_leaves_the_previous_results_as_they_were(
        where: str, code: int, here: Path, monkeypatch: pytest.MonkeyPatch,
        capsys: pytest.CaptureFixture[str]) -> None:
    out = mark(here / "R")
    _inject(monkeypatch, where, code)
    line = refused(argv("run", out, overwrite=True), capsys, here, os.strerror(code))
    assert "left as it was" in line


@pytest.mark.parametrize("code", ERRNOS, ids=errno.errorcode.get)
def test_a_failing_disk_while_a_sweep_runs_is_one_line_and_resumes(
        code: int, here: Path, monkeypatch: pytest.MonkeyPatch,
        capsys: pytest.CaptureFixture[str]) -> None:
    import pyarrow.parquet as pq

    write_table = pq.write_table

    def failing(table: Any, where: Any, *args: Any, **kwargs: Any) -> None:
        if "chunk-" in str(where):
            raise _fail(code, where)
        write_table(table, where, *args, **kwargs)

    monkeypatch.setattr(pq, "write_table", failing)
    got, _, err = run_cli(argv("sweep", here / "S"), capsys)
    assert got == 2
    assert_one_line(err, "'" + str(here / "S") + "'", os.strerror(code), "--resume")
    assert not list((here / "S" / "chunks").iterdir()), "a half-written chunk was left"
    monkeypatch.setattr(pq, "write_table", write_table)
    assert run_cli([*argv("sweep", here / "S"), "--resume"], capsys)[0] == 0
    assert (here / "S" / "results.parquet").exists()


def test_moving_the_old_folder_aside_failing_leaves_it(
        here: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    out = mark(here / "R")
    rename = os.rename

    def busy(src: Any, dst: Any) -> None:
        if Path(src) == out:
            raise _fail(errno.EBUSY, src)
        rename(src, dst)

    monkeypatch.setattr(os, "rename", busy)
    refused(argv("run", out, overwrite=True), capsys, here, os.strerror(errno.EBUSY))


# ---------------------------------------------------------------- leftovers of a kill -9


def _dead_pid() -> int:
    child = subprocess.Popen([sys.executable, "-c", ""])
    child.wait()
    return child.pid


def test_leftovers_of_dead_writers_are_cleaned_and_nothing_else(
        here: Path, capsys: pytest.CaptureFixture[str]) -> None:
    dead, alive = _dead_pid(), os.getpid()
    leftovers = {name: mark(here / name) for name in (
        f".R.tmp-{dead}-abc12345", f".other.tmp-{dead}-x_y", f".gone.old-{dead}-abcd",
        f".R.tmp-{alive}-live0001", ".R.tmp-notapid", f".R.tmpx-{dead}-abc", f"R.tmp-{dead}-a")}
    mark(here / "other")
    assert run_cli(argv("run", here / "R"), capsys)[0] == 0
    left = {p.name for p in here.iterdir()}
    assert f".R.tmp-{dead}-abc12345" not in left and f".other.tmp-{dead}-x_y" not in left
    assert {f".R.tmp-{alive}-live0001", ".R.tmp-notapid", f".R.tmpx-{dead}-abc",
            f"R.tmp-{dead}-a"} <= left, "only phase0's own leftovers of dead writers go"
    # a replaced folder whose replacement never arrived is put back where it was
    assert f".gone.old-{dead}-abcd" not in left and (here / "gone" / "manifest.json").exists()
    assert leftovers


def test_a_dead_writers_old_folder_is_removed_once_its_replacement_is_there(
        here: Path, capsys: pytest.CaptureFixture[str]) -> None:
    mark(here / f".R.old-{_dead_pid()}-abcd")
    mark(here / "R")
    assert run_cli(argv("run", here / "Q"), capsys)[0] == 0
    assert [p.name for p in here.glob(".R.*")] == []
    assert (here / "R" / "old_result.csv").exists()


def test_a_dead_writers_old_folder_that_phase0_did_not_write_is_left(
        here: Path, capsys: pytest.CaptureFixture[str]) -> None:
    stray = user_folder(here / f".R.old-{_dead_pid()}-abcd")
    mark(here / "R")
    assert run_cli(argv("run", here / "Q"), capsys)[0] == 0
    assert (stray / "thesis.txt").exists()


# ---------------------------------------------------------------- explore --fresh


def test_fresh_refuses_to_delete_a_folder_phase0_did_not_write(
        here: Path, capsys: pytest.CaptureFixture[str]) -> None:
    user_folder(here / "work" / "grid")
    refused([*argv("explore", here / "out", work=here / "work"), "--fresh"], capsys, here,
            "grid", "not written by phase0")


def test_fresh_refuses_to_delete_the_folder_it_is_run_from(
        here: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    sub = mark(here / "work" / "grid") / "sub"
    sub.mkdir()
    monkeypatch.chdir(sub)
    refused([*argv("explore", here / "out", work=here / "work"), "--fresh"], capsys, here,
            "grid", "current folder")


@pytest.mark.parametrize("kind", ["marked", "legacy sweep", "missing", "empty"])
def test_remove_sweep_deletes_only_what_phase0_wrote(kind: str, here: Path) -> None:
    path = here / "grid"
    if kind == "marked":
        mark(path)
    elif kind == "legacy sweep":
        mark(path, {"format": "phase0-sweep/1", "command": "phase0 sweep --n 2",
                    "code_version": "x", "packages": {}})
    elif kind == "empty":
        path.mkdir()
    remove_sweep(path)
    assert not path.exists() and (here / "notes.txt").exists()


@pytest.mark.parametrize("kind", ["user", "file", "symlink"])
def test_remove_sweep_refuses_anything_else(kind: str, here: Path) -> None:
    path = here / "grid"
    if kind == "user":
        user_folder(path)
    elif kind == "file":
        path.write_text("x")
    else:
        path.symlink_to(mark(here / "real"), target_is_directory=True)
    before = tree_digest(here)
    with pytest.raises(UserError, match="grid"):
        remove_sweep(path)
    assert tree_digest(here) == before
