#!/usr/bin/env python3
"""Documentation coverage of the public symbols of some modules, read from their symbol graphs.

Usage: scripts/docs-coverage.py SYMBOLGRAPH_DIR SOURCES_DIR MODULE...
       scripts/docs-coverage.py --self-test   (checks the counting rules on a made-up graph)

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
import tempfile
from urllib.parse import unquote, urlparse


def source_path(symbol):
    uri = (symbol.get("location") or {}).get("uri")
    return unquote(urlparse(uri).path) if uri else None


def coverage(graph_dir, sources, module):
    """(public symbols, documented, [(file, line, kind, path) of each undocumented one])."""
    own = os.path.join(sources, module) + os.sep
    folder = os.path.join(graph_dir, module) if os.path.isdir(os.path.join(graph_dir, module)) else graph_dir
    names = os.listdir(folder)
    graphs = [f for f in names if f == f"{module}.symbols.json" or (f.startswith(f"{module}@") and f.endswith(".json"))]
    if f"{module}.symbols.json" not in graphs:
        return None
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
    missing = []
    for symbol in seen.values():
        doc = symbol.get("docComment")
        text = "".join(line.get("text", "") for line in (doc or {}).get("lines", [])).strip()
        if not text or doc.get("module") not in (None, module):
            line = symbol["location"]["position"]["line"] + 1
            where = os.path.relpath(os.path.realpath(source_path(symbol)))
            missing.append((where, line, symbol["kind"]["displayName"], ".".join(symbol["pathComponents"])))
    return len(seen), len(seen) - len(missing), sorted(missing)


def self_test():
    """The rules on a graph with one symbol of each case; exits 1 when a rule is broken."""
    with tempfile.TemporaryDirectory() as tmp:
        sources = os.path.realpath(os.path.join(tmp, "Sources"))
        os.makedirs(os.path.join(sources, "M"))
        os.makedirs(os.path.join(sources, "MOther"))
        mine = "file://" + os.path.join(sources, "M", "A.swift")
        other = "file://" + os.path.join(sources, "MOther", "B.swift")

        def sym(name, access="public", doc=None, uri=mine, precise=None, kind="swift.property"):
            s = {"identifier": {"precise": precise or "s:" + name}, "kind": {"identifier": kind, "displayName": kind},
                 "pathComponents": [name], "accessLevel": access}
            if uri:
                s["location"] = {"uri": uri, "position": {"line": 0, "character": 0}}
            if doc is not None:
                s["docComment"] = doc
            return s
        own_doc = {"lines": [{"text": "What it is for."}]}
        symbols = [
            sym("documented", doc=own_doc),                                      # counts, documented
            sym("bare"),                                                         # counts, undocumented
            sym("blank", doc={"lines": [{"text": "  "}]}),                       # counts, undocumented
            sym("inherited", doc={"module": "Swift", "lines": [{"text": "A textual representation."}]}),
            sym("packageLevel", access="package"),                               # not public
            sym("synthesized", precise="s:x::SYNTHESIZED::s:y"),                 # compiler-made
            sym("defaultImplementation", uri=None),                              # no place in our sources
            sym("reexported", uri=other),                                        # another module's
            sym("block", kind="swift.extension"),                                # extension block
        ]
        with open(os.path.join(tmp, "M.symbols.json"), "w") as f:
            json.dump({"module": {"name": "M"}, "symbols": symbols}, f)
        with open(os.path.join(tmp, "M@Swift.symbols.json"), "w") as f:
            json.dump({"module": {"name": "M"}, "symbols": [sym("extensionMember")]}, f)
        cwd = os.getcwd()
        os.chdir(tmp)
        try:
            public, documented, missing = coverage(tmp, sources, "M")
        finally:
            os.chdir(cwd)
    names = sorted(m[3] for m in missing)
    expected = ["bare", "blank", "extensionMember", "inherited"]
    if (public, documented, names) != (5, 1, expected):
        print(f"docs-coverage self-test failed: {public} public, {documented} documented, undocumented {names}; "
              f"expected 5, 1, {expected}")
        return 1
    print("docs-coverage self-test passed")
    return 0


def main():
    if sys.argv[1:] == ["--self-test"]:
        return self_test()
    if len(sys.argv) < 4:
        print(__doc__, file=sys.stderr)
        return 2
    graph_dir, sources, modules = sys.argv[1], os.path.realpath(sys.argv[2]), sys.argv[3:]
    failed = False
    for module in modules:
        result = coverage(graph_dir, sources, module)
        if result is None:
            print(f"docs: no symbol graph for {module} in {graph_dir}")
            return 2
        public, documented, missing = result
        percent = 100.0 * documented / public if public else 100.0
        print(f"docs: {module:<13} {public:4} public symbols, {documented:4} documented, {percent:5.1f} %")
        for where, line, kind, name in missing:
            print(f"  undocumented: {where}:{line}: {kind} {name}")
        if documented < public:
            failed = True
    if failed:
        print("docs: every public symbol needs a /// comment saying what it is for")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
