"""Print the import graph between Cornerstone's apps, as text: which app imports which, and the cycles.

    .venv/bin/python scripts/app_graph.py            # the tree this script sits in
    .venv/bin/python scripts/app_graph.py /tmp/old   # another checkout (a `git worktree` of an old commit)

It uses grimp, the graph library import-linter is built on (so the arrows are the ones `lint-imports`
checks): every import statement counts, including those inside functions and under TYPE_CHECKING.
Each arrow lists a few of the module-level imports behind it, so a surprising arrow names its cause.
Cycles are the strongly connected components of the app graph (Tarjan), each printed with the arrows
that close it. Nothing here asserts; the contracts in pyproject.toml do that.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import grimp

APPS = ("config", "core", "incidents", "alerts", "coe", "metrics", "notifications", "devdata")


def app_edges(graph: grimp.ImportGraph, apps: tuple[str, ...]) -> dict[tuple[str, str], list[str]]:
    """(importer app, imported app) -> sorted "importer -> imported" module pairs behind the arrow."""
    edges: dict[tuple[str, str], list[str]] = {}
    for importer in graph.modules:
        source = importer.split(".")[0]
        for imported in graph.find_modules_directly_imported_by(importer):
            target = imported.split(".")[0]
            if source != target and source in apps and target in apps:
                edges.setdefault((source, target), []).append(f"{importer} -> {imported}")
    return {edge: sorted(pairs) for edge, pairs in sorted(edges.items())}


def strongly_connected(nodes: tuple[str, ...], arrows: set[tuple[str, str]]) -> list[list[str]]:
    """Tarjan's algorithm; only components with more than one app (a cycle between apps) are returned."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    components: list[list[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for source, target in sorted(arrows):
            if source != node:
                continue
            if target not in index:
                visit(target)
                low[node] = min(low[node], low[target])
            elif target in on_stack:
                low[node] = min(low[node], index[target])
        if low[node] == index[node]:
            component = []
            while True:
                member = stack.pop()
                on_stack.discard(member)
                component.append(member)
                if member == node:
                    break
            if len(component) > 1:
                components.append(sorted(component, key=nodes.index))

    for node in nodes:
        if node not in index:
            visit(node)
    return components


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("root", nargs="?", default=str(Path(__file__).resolve().parent.parent))
    parser.add_argument("--examples", type=int, default=3, help="module imports shown per arrow")
    args = parser.parse_args()

    root = Path(args.root).resolve()
    sys.path.insert(0, str(root))
    apps = tuple(app for app in APPS if (root / app / "__init__.py").exists())
    graph = grimp.build_graph(*apps, cache_dir=None)
    edges = app_edges(graph, apps)

    print(f"# Imports between apps in {root}")
    for app in apps:
        targets = [target for (source, target) in edges if source == app]
        print(f"{app:14} -> {', '.join(targets) if targets else '(nothing)'}")
    print()
    for (source, target), pairs in edges.items():
        shown = "; ".join(pairs[: args.examples])
        more = f" (+{len(pairs) - args.examples} more)" if len(pairs) > args.examples else ""
        print(f"  {source} -> {target}: {len(pairs)} import(s): {shown}{more}")
    print()
    components = strongly_connected(apps, set(edges))
    if not components:
        print("Cycles between apps: none")
    for component in components:
        inside = [f"{s}->{t}" for (s, t) in edges if s in component and t in component]
        print(f"Cycle among {{{', '.join(component)}}}: {', '.join(inside)}")


if __name__ == "__main__":
    main()
