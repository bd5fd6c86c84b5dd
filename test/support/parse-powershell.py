"""Parses PowerShell from stdin with the tree-sitter PowerShell grammar (no PowerShell runs on
this machine) and prints the syntax errors as JSON: [{"line", "column", "text"}]."""
import json
import sys

import tree_sitter_powershell
from tree_sitter import Language, Parser


def syntax_errors(source: bytes) -> list:
    tree = Parser(Language(tree_sitter_powershell.language())).parse(source)
    found, pending = [], [tree.root_node]
    while pending:
        node = pending.pop()
        if node.is_error or node.is_missing:
            text = source[node.start_byte:node.end_byte].decode("utf-8", "replace")[:60]
            found.append({"line": node.start_point[0] + 1, "column": node.start_point[1] + 1,
                          "text": text or f"missing {node.type}"})
        elif node.has_error:
            pending.extend(node.children)
    return sorted(found, key=lambda e: (e["line"], e["column"]))


print(json.dumps(syntax_errors(sys.stdin.buffer.read())))
