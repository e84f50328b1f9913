"""The import graph of tfgan_zoo, read statically from the source (nothing is imported):

- no module outside the command-line package `tfgan_zoo/cli/` imports it -- by an import statement
  at module level or inside a function, or by naming it in a string (importlib, lazy tables);
- the modules import each other without a cycle.

An edge A -> B is an import statement in A, at module level or inside a function, naming B:
`import B`, `from B import name`, or `from P import B` for a submodule B of P. Function-level imports
count: they are still circles, only deferred ones, and the package avoids them rather than
documenting exceptions. Not counted: the implicit import of a parent package (importing a.b.c runs
a/__init__ first, and a package __init__ that imports its own submodules is the ordinary package
pattern), and string-named lazy attributes (tfgan_zoo/__init__'s `_LAZY`, presets' model classes),
which import only when an attribute is asked for.
"""
import ast
from pathlib import Path

import tfgan_zoo

PACKAGE_DIR = Path(tfgan_zoo.__file__).resolve().parent
CLI = "tfgan_zoo.cli"


def module_files() -> dict[str, Path]:
    """Dotted module name -> source file, for every .py file under tfgan_zoo/."""
    modules = {}
    for path in sorted(PACKAGE_DIR.rglob("*.py")):
        parts = list(path.relative_to(PACKAGE_DIR.parent).with_suffix("").parts)
        if parts[-1] == "__init__":
            parts = parts[:-1]
        modules[".".join(parts)] = path
    return modules


def imported_names(module: str, path: Path, known: set[str]) -> set[str]:
    """The modules of `known` that import statements of `module` name, at any depth (functions
    included): `import B` -> B; `from P import x` -> P.x when that is a module, else P."""
    package = module if path.name == "__init__.py" else module.rpartition(".")[0]
    names = set()
    for node in ast.walk(ast.parse(path.read_text(), str(path))):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:  # relative: from ..x import y
                anchor = package.split(".")[: len(package.split(".")) - node.level + 1]
                base = ".".join(anchor + ([node.module] if node.module else []))
            names.update(f"{base}.{alias.name}" if f"{base}.{alias.name}" in known else base for alias in node.names)
    return names & known


def import_graph() -> dict[str, set[str]]:
    """Module -> the tfgan_zoo modules it imports."""
    modules = module_files()
    return {module: imported_names(module, path, set(modules)) - {module} for module, path in modules.items()}


def find_cycle(graph: dict[str, set[str]]) -> list[str]:
    """One cycle as [a, b, ..., a], or [] when the graph has none (depth-first search)."""
    state: dict[str, int] = {}  # 1: on the current path, 2: done
    path: list[str] = []

    def visit(node: str) -> list[str]:
        state[node] = 1
        path.append(node)
        for target in sorted(graph.get(node, ())):
            if state.get(target) == 1:
                return path[path.index(target):] + [target]
            if target not in state:
                found = visit(target)
                if found:
                    return found
        state[node] = 2
        path.pop()
        return []

    for node in sorted(graph):
        if node not in state:
            found = visit(node)
            if found:
                return found
    return []


def test_the_scan_sees_module_level_function_level_and_relative_imports(tmp_path):
    graph = import_graph()
    # module level: gan.py imports the losses; function level: export_run imports the runner
    assert "tfgan_zoo.losses" in graph["tfgan_zoo.training.gan"]
    assert "tfgan_zoo.training.runner" in graph["tfgan_zoo.export"]
    # the command line's own imports: its package imports every command module
    assert {f"{CLI}.{name}" for name in ("listing", "train", "sample", "evaluate", "export", "compare")} <= graph[CLI]
    source = tmp_path / "pkg" / "sub" / "mod.py"
    source.parent.mkdir(parents=True)
    source.write_text("def f():\n    from ..other import thing\n    from . import sibling\n")
    known = {"pkg.other", "pkg.sub", "pkg.sub.sibling"}
    assert imported_names("pkg.sub.mod", source, known) == {"pkg.other", "pkg.sub.sibling"}


def test_find_cycle_finds_a_deferred_circle_and_none_in_a_tree():
    assert find_cycle({"a": {"b"}, "b": {"c"}, "c": set()}) == []
    assert find_cycle({"a": {"b"}, "b": {"c"}, "c": {"a"}}) == ["a", "b", "c", "a"]


def test_no_library_module_imports_the_command_line():
    offenders = []
    for module, path in module_files().items():
        if module == CLI or module.startswith(CLI + "."):
            continue
        imports = {name for name in imported_names(module, path, set(module_files()))
                   if name == CLI or name.startswith(CLI + ".")}
        strings = {node.value for node in ast.walk(ast.parse(path.read_text()))
                   if isinstance(node, ast.Constant) and isinstance(node.value, str)
                   and (node.value == CLI or node.value.startswith((CLI + ".", CLI + ":")))}
        if imports or strings:
            offenders.append((module, sorted(imports | strings)))
    assert offenders == []


def test_the_package_has_no_import_cycle():
    graph = import_graph()
    assert len(graph) > 50  # every module was read
    assert find_cycle(graph) == []
