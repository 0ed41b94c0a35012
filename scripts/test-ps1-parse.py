#!/usr/bin/env python3
"""Parse PowerShell scripts with tree-sitter-powershell and fail on any syntax error.

PowerShell cannot be installed on the build machines, so the .ps1 files are checked
by parsing only. Usage:

    python3 scripts/test-ps1-parse.py FILE_OR_DIR...

Directories are searched for *.ps1 (skipping .git and target). Exits 0 when every
file parses cleanly, 1 when any has an ERROR or MISSING node (each is printed with
its line and column), and 2 when the parser modules are missing or no file was given.
Needs: pip install tree-sitter tree-sitter-powershell
"""

import os
import sys

SKIPPED_DIRS = {".git", "target", "node_modules"}


def load_parser():
    try:
        import tree_sitter
        import tree_sitter_powershell
    except ImportError as err:
        sys.stderr.write(
            f"error: {err}\n"
            "hint: run `python3 -m pip install tree-sitter tree-sitter-powershell`\n"
        )
        sys.exit(2)
    language = tree_sitter.Language(tree_sitter_powershell.language())
    return tree_sitter.Parser(language)


def ps1_files(paths):
    for path in paths:
        if os.path.isdir(path):
            for dirpath, dirnames, filenames in os.walk(path):
                dirnames[:] = sorted(d for d in dirnames if d not in SKIPPED_DIRS)
                for name in sorted(filenames):
                    if name.lower().endswith(".ps1"):
                        yield os.path.join(dirpath, name)
        else:
            yield path


def problems(tree):
    """Every ERROR and MISSING node, as (line, column, description), 1-based."""
    found = []
    stack = [tree.root_node]
    while stack:
        node = stack.pop()
        if node.is_error or node.is_missing:
            row, column = node.start_point
            kind = f"missing {node.type}" if node.is_missing else "syntax error"
            found.append((row + 1, column + 1, kind))
        if node.has_error:
            stack.extend(node.children)
    return sorted(found)


def main(argv):
    if not argv:
        sys.stderr.write("usage: test-ps1-parse.py FILE_OR_DIR...\n")
        return 2
    parser = load_parser()
    files = list(ps1_files(argv))
    if not files:
        sys.stderr.write("error: no .ps1 file found in " + " ".join(argv) + "\n")
        return 2
    failed = 0
    for path in files:
        with open(path, "rb") as handle:
            source = handle.read()
        found = problems(parser.parse(source))
        for line, column, kind in found:
            print(f"{path}:{line}:{column}: {kind}")
        if found:
            failed += 1
        else:
            print(f"{path}: ok")
    print(f"{len(files) - failed} passed, {failed} failed")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
