#!/usr/bin/env python3
"""Documentation coverage of the public symbols of some modules, read from their symbol graphs.

Usage: scripts/docs-coverage.py SYMBOLGRAPH_DIR SOURCES_DIR MODULE...

SYMBOLGRAPH_DIR holds the graphs of each module, directly or in a folder named after it (as
swift-docc-plugin leaves them in .build/<triple>/extracted-symbols/<package>/).

Counts every public (or open) symbol declared in a module's own sources (Sources/MODULE/): the
main graph and the graphs of its extensions to other modules' types. Left out: members the
compiler synthesizes or a type inherits from a protocol's default implementation or a superclass
(their identifier carries ::SYNTHESIZED::, or they have no location in our sources), extension
blocks, and symbols another module re-exports. A symbol counts as documented when it carries a
doc comment of its own: a `description` or `==` we wrote says what it gives for our type, so the
comment it would take over from the standard library's protocol does not count. Prints one line
per module and every undocumented symbol (file:line, kind, path); exits 1 when any module is below
100 %.
"""
import json
import os
import sys
from collections import defaultdict
from urllib.parse import unquote, urlparse


def source_path(symbol):
    uri = (symbol.get("location") or {}).get("uri")
    return unquote(urlparse(uri).path) if uri else None


def main():
    if len(sys.argv) < 4:
        print(__doc__, file=sys.stderr)
        return 2
    graph_dir, sources, modules = sys.argv[1], os.path.realpath(sys.argv[2]), sys.argv[3:]
    failed = False
    total_public = 0
    for module in modules:
        own = os.path.join(sources, module) + os.sep
        folder = os.path.join(graph_dir, module) if os.path.isdir(os.path.join(graph_dir, module)) else graph_dir
        names = os.listdir(folder)
        graphs = [f for f in names if f == f"{module}.symbols.json" or (f.startswith(f"{module}@") and f.endswith(".json"))]
        if f"{module}.symbols.json" not in graphs:
            print(f"docs: no symbol graph for {module} in {graph_dir}", file=sys.stderr)
            return 2
        seen = {}
        for name in graphs:
            with open(os.path.join(folder, name)) as f:
                graph = json.load(f)
            for symbol in graph["symbols"]:
                precise = symbol["identifier"]["precise"]
                kind = symbol["kind"]["identifier"]
                path = source_path(symbol)
                if ("::SYNTHESIZED::" in precise or kind == "swift.extension"
                        or symbol.get("accessLevel") not in ("public", "open")
                        or path is None or not os.path.realpath(path).startswith(own)):
                    continue
                seen[precise] = symbol
        counts = defaultdict(int)
        missing = []
        for symbol in seen.values():
            doc = symbol.get("docComment")
            text = "".join(line.get("text", "") for line in (doc or {}).get("lines", [])).strip()
            if not text or doc.get("module") not in (None, module):
                counts["undocumented"] += 1
                line = symbol["location"]["position"]["line"] + 1
                where = os.path.relpath(os.path.realpath(source_path(symbol)))
                missing.append((where, line, symbol["kind"]["displayName"], ".".join(symbol["pathComponents"])))
            else:
                counts["own"] += 1
        public = len(seen)
        total_public += public
        documented = public - counts["undocumented"]
        percent = 100.0 * documented / public if public else 100.0
        print(f"docs: {module:<13} {public:4} public symbols, {documented:4} documented, {percent:5.1f} %")
        for where, line, kind, name in sorted(missing):
            print(f"  undocumented: {where}:{line}: {kind} {name}")
        if documented < public:
            failed = True
    if failed:
        print("docs: every public symbol needs a /// comment saying what it is for")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
