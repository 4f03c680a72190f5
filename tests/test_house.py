"""The house rules of issue 16: one definition of each outcome, parser option and folder ending.

These check the code's shape, not the model: each would fail the day someone copies an
outcome's label or colour into a figure module, writes a shared option again in a command, or
writes a result folder's manifest by hand.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from experiments.cli import COMMANDS, build_parser, command
from simulation.outcome_registry import HEADLINE, OUTCOMES

ROOT = Path(__file__).resolve().parents[1]
CODE = sorted(p for d in ("simulation", "experiments") for p in (ROOT / d).rglob("*.py"))
REGISTRY_FILE = ROOT / "simulation" / "outcome_registry.py"
OPTIONS_FILE = ROOT / "experiments" / "cli" / "options.py"
OUTPUTS_FILE = ROOT / "experiments" / "support" / "outputs.py"
#: Options every command that has them takes from experiments/cli/options.py.
SHARED_OPTIONS = ("--workers", "--seed", "--out", "--overwrite", "--quiet", "--scenario",
                  "--scenarios", "--set", "--replicates", "--model-class", "--parameter-sets",
                  "--max-sets", "--json", "--horizon")


def _trees() -> list[tuple[Path, ast.AST]]:
    return [(p, ast.parse(p.read_text(), str(p))) for p in CODE]


def _strings(node: ast.AST) -> set[str]:
    return {n.value for n in ast.walk(node) if isinstance(n, ast.Constant)
            and isinstance(n.value, str)}


def test_each_outcome_label_and_colour_is_defined_only_in_the_registry():
    labels = {o.label for o in OUTCOMES.values()}
    colours = {o.colour for o in OUTCOMES.values()}
    keys = set(OUTCOMES) | {o.column for o in OUTCOMES.values()}
    found = []
    for path, tree in _trees():
        if path == REGISTRY_FILE:
            continue
        # a label written out anywhere else
        found += [(path.name, s) for s in _strings(tree) & labels]
        # an outcome mapped to a label or a colour of its own (a dict keyed by outcome)
        for node in ast.walk(tree):
            if isinstance(node, ast.Dict):
                for k, v in zip(node.keys, node.values, strict=True):
                    if isinstance(k, ast.Constant) and k.value in keys:
                        own = {s for s in _strings(v) if s.startswith("#") or s in labels}
                        found += [(path.name, f"{k.value}: {s}") for s in own]
    assert not found, f"outcome labels or colours defined outside the registry: {found}"
    # and the registry's own: one label and one colour per outcome, all different
    assert len(labels) == len(colours) == len(OUTCOMES)
    assert set(HEADLINE) == {"phase_zero", "engagement"}


def test_the_registry_names_the_engines_outcomes_in_order():
    from simulation.records import OUTCOMES as ENGINE

    assert tuple(OUTCOMES) == ENGINE


def _add_argument_calls(tree: ast.AST) -> list[ast.Call]:
    return [n for n in ast.walk(tree) if isinstance(n, ast.Call)
            and isinstance(n.func, ast.Attribute) and n.func.attr == "add_argument"]


def test_no_parser_option_is_written_twice():
    seen: dict[str, str] = {}
    twice = []
    for path, tree in _trees():
        for call in _add_argument_calls(tree):
            text = ast.dump(call, annotate_fields=False)
            where = f"{path.relative_to(ROOT)}:{call.lineno}"
            if text in seen:
                twice.append((seen[text], where))
            seen.setdefault(text, where)
            flags = {a.value for a in call.args if isinstance(a, ast.Constant)}
            shared = flags & set(SHARED_OPTIONS)
            if shared and path != OPTIONS_FILE:
                twice.append((f"{sorted(shared)} belongs in options.py", where))
    assert not twice, f"parser options written twice: {twice}"


def test_result_folders_are_ended_only_by_the_shared_writer():
    offenders = []
    for path, tree in _trees():
        if path == OUTPUTS_FILE:
            continue
        for node in ast.walk(tree):
            name = (node.func.id if isinstance(node, ast.Call) and isinstance(node.func, ast.Name)
                    else node.func.attr if isinstance(node, ast.Call)
                    and isinstance(node.func, ast.Attribute) else None)
            if name in ("atomic_folder", "write_json", "mkdtemp", "rmtree"):
                offenders.append(f"{path.relative_to(ROOT)}:{node.lineno} {name}")
    # the resumable sweep layout, its own; the writer's own rules of whose folder is whose
    allowed = {"experiments/research/sweep/storage.py", "experiments/support/ownership.py"}
    offenders = [o for o in offenders if o.split(":")[0] not in allowed]
    assert not offenders, f"result folders written outside write_results: {offenders}"


def test_modules_stay_small_and_the_dispatcher_short():
    long = {str(p.relative_to(ROOT)): n for p in CODE
            if (n := len(p.read_text().splitlines())) > 400 and p.name != "parameters.py"}
    assert not long, f"modules over 400 lines: {long}"
    dispatcher = ROOT / "experiments" / "cli" / "__init__.py"
    assert len(dispatcher.read_text().splitlines()) <= 80


def test_readme_is_at_most_12_kb():
    assert (ROOT / "README.md").stat().st_size <= 12 * 1024


@pytest.mark.parametrize("name", COMMANDS)
def test_every_command_is_a_module_with_add_arguments_and_run(name):
    module = command(name)
    assert callable(module.add_arguments) and callable(module.run)
    assert module.__doc__ and module.__doc__.strip().split("\n")[0].endswith(".")


def test_the_parser_lists_every_command():
    parser = build_parser()
    sub = next(a for a in parser._actions if a.dest == "command")
    assert set(sub.choices) == {n.replace("_", "-") for n in COMMANDS}
