"""The simulator's import graph has no cycle, counting imports inside functions (read with ``ast``, nothing imported)."""

from __future__ import annotations

import ast
import pathlib

PACKAGE = pathlib.Path(__file__).resolve().parents[2] / "simulator"


def _module_names():
    return {path.stem for path in PACKAGE.glob("*.py")}


def _imports(path, names):
    """The simulator modules ``path`` imports anywhere in its body (top level, functions, branches)."""
    found = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), str(path))):
        if isinstance(node, ast.Import):
            for alias in node.names:
                parts = alias.name.split(".")
                if parts[0] == "simulator" and len(parts) > 1:
                    found.add(parts[1])
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            parts = node.module.split(".")
            if parts[0] != "simulator":
                continue
            if len(parts) > 1:
                found.add(parts[1])
            else:  # from simulator import vro, faults as faults_mod
                found.update(alias.name for alias in node.names if alias.name in names)
        elif isinstance(node, ast.ImportFrom) and node.level:
            found.update(alias.name for alias in node.names if alias.name in names)
            if node.module:
                found.add(node.module.split(".")[0])
        elif isinstance(node, ast.Call) and getattr(node.func, "attr", None) == "import_module":
            # importlib.import_module("simulator." + name) hides an edge from the reader: refuse it outright.
            found.add("<dynamic import>")
    return found & (names | {"<dynamic import>"})


def import_graph():
    names = _module_names()
    return {path.stem: _imports(path, names) for path in sorted(PACKAGE.glob("*.py"))}


def find_cycle(graph):
    """One import cycle as a list of module names (first == last), or None."""
    state = {}

    def visit(name, trail):
        state[name] = "open"
        for target in sorted(graph.get(name, ())):
            if state.get(target) == "open":
                return trail[trail.index(target):] + [target]
            if target not in state:
                cycle = visit(target, trail + [target])
                if cycle:
                    return cycle
        state[name] = "done"
        return None

    for start in sorted(graph):
        if start not in state:
            cycle = visit(start, [start])
            if cycle:
                return cycle
    return None


def test_find_cycle_sees_a_cycle_through_a_function_level_import(tmp_path):
    # The checker itself: a function-level import closing a loop is a cycle; a one-way chain is not.
    (tmp_path / "a.py").write_text("from simulator import b\n", encoding="utf-8")
    (tmp_path / "b.py").write_text("def f():\n    from simulator.a import x\n    return x\n", encoding="utf-8")
    (tmp_path / "c.py").write_text("import simulator.a\n", encoding="utf-8")
    names = {"a", "b", "c"}
    graph = {name: _imports(tmp_path / (name + ".py"), names) for name in sorted(names)}
    assert graph == {"a": {"b"}, "b": {"a"}, "c": {"a"}}
    assert find_cycle(graph) == ["a", "b", "a"]
    assert find_cycle({"a": {"b"}, "b": set(), "c": {"a", "b"}}) is None


def test_the_simulator_has_no_import_cycle():
    graph = import_graph()
    cycle = find_cycle(graph)
    assert cycle is None, "import cycle: %s" % " -> ".join(cycle)
    assert not any("<dynamic import>" in targets for targets in graph.values()), graph
    assert {"admin", "state", "routing", "vro", "vcf", "ico"} <= graph["app"], graph  # the walk read the real package


def test_only_the_app_and_the_runner_know_every_product():
    # Layers: the products import the shared helpers (routing, context, store ...), never the app or the runner.
    graph = import_graph()
    for product in ("vro", "vra", "vcf", "ico", "admin", "state", "routing") + tuple(n for layer in VRO_LAYERS for n in layer):
        assert not graph[product] & {"app", "runner", "__main__"}, (product, graph[product])


# vRO, top to bottom: the blueprint and its views; the concerns over the run state machine; the run state machine;
# the server state and request helpers every vRO file shares. A file imports only from layers below its own.
VRO_LAYERS = (("vro",), ("vro_interactions", "vro_tasks", "vro_workflows"), ("vro_runs",), ("vro_server",))


def test_the_vro_files_import_downwards_only():
    graph = import_graph()
    for depth, layer in enumerate(VRO_LAYERS):
        own_and_above = {name for upper in VRO_LAYERS[:depth + 1] for name in upper}
        for name in layer:
            assert not graph[name] & (own_and_above | {"app", "runner", "__main__", "admin"}), (name, graph[name])
    # The walk read the real files: the blueprint uses every concern, and each concern the run state machine.
    assert {"vro_interactions", "vro_tasks", "vro_workflows", "vro_runs", "vro_server"} <= graph["vro"], graph["vro"]
    assert {"vro_interactions", "vro_tasks"} <= {name for name in graph if "vro_runs" in graph[name]}, graph


def _private_uses(path, names):
    """``from simulator.x import _y`` and ``x._y`` (x a simulator module imported by name) in ``path``."""
    tree = ast.parse(path.read_text(encoding="utf-8"), str(path))
    modules, found = set(), []
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.level == 0 and (node.module or "").split(".")[0] == "simulator":
            for alias in node.names:
                if node.module == "simulator" and alias.name in names:
                    modules.add(alias.asname or alias.name)
                elif alias.name.startswith("_") and not alias.name.startswith("__"):
                    found.append("%s imports %s.%s" % (path.name, node.module, alias.name))
    for node in ast.walk(tree):
        if isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name) and node.value.id in modules:
            if node.attr.startswith("_") and not node.attr.startswith("__"):
                found.append("%s uses %s.%s" % (path.name, node.value.id, node.attr))
    return found


def test_no_private_name_crosses_a_file(tmp_path):
    (tmp_path / "a.py").write_text("from simulator import vro_runs\nfrom simulator.store import _s\nvro_runs._save(1, 2)\n", encoding="utf-8")
    assert _private_uses(tmp_path / "a.py", {"vro_runs"}) == ["a.py imports simulator.store._s", "a.py uses vro_runs._save"]
    names = _module_names()
    found = [use for path in sorted(PACKAGE.glob("*.py")) for use in _private_uses(path, names)]
    assert not found, found
