"""Reads PowerShell from stdin with the tree-sitter PowerShell grammar (no PowerShell runs on
this machine) and prints JSON: {"errors": [{"line", "column", "text"}], "tree": node}, where a
node is {"t": type, "x": text (leaves and names), "l": line, "f": field in its parent, "c": [children]}: whitespace
dropped, and chains of one-child expression wrappers collapsed to what they wrap."""
import json
import sys

import tree_sitter_powershell
from tree_sitter import Language, Parser

# Wrapper levels of the grammar's precedence climbing: a node of these types with one child is its child.
KEEP = {"invokation_expression", "member_access", "cast_expression", "parenthesized_expression", "sub_expression",
        "hash_literal_expression", "assignment_expression", "array_expression", "script_block_expression",
        "element_access", "expression_with_unary_operator"}
TEXT = {"variable", "command_name", "command_parameter", "generic_token", "simple_name", "type_identifier",
        "function_name", "expandable_string_literal", "verbatim_string_characters", "decimal_integer_literal",
        "type_name", "command_invokation_operator"}


def emit(node, source, field=None):
    pairs = [(c, node.field_name_for_child(i)) for i, c in enumerate(node.children)]
    pairs = [(c, f) for c, f in pairs if c.type not in ("command_argument_sep",) and c.text.strip()]
    children = [c for c, _ in pairs]
    named = [c for c in children if c.is_named]
    collapsible = node.type.endswith("_expression") or node.type.endswith("argument_expression") or node.type in (
        "left_assignment_expression", "argument_expression")
    if collapsible and node.type not in KEEP and len(children) == 1 and named:
        return emit(named[0], source, field)
    out = {"t": node.type, "l": node.start_point[0] + 1}
    if field:
        out["f"] = field
    if node.type in TEXT or not children:
        out["x"] = source[node.start_byte:node.end_byte].decode("utf-8", "replace")
    if children:
        out["c"] = [emit(c, source, f) for c, f in pairs]
    return out


def syntax_errors(tree, source):
    found, pending = [], [tree.root_node]
    while pending:
        node = pending.pop()
        if node.is_error or node.is_missing:
            text = source[node.start_byte:node.end_byte].decode("utf-8", "replace")[:60]
            found.append({"line": node.start_point[0] + 1, "column": node.start_point[1] + 1, "text": text or f"missing {node.type}"})
        elif node.has_error:
            pending.extend(node.children)
    return sorted(found, key=lambda e: (e["line"], e["column"]))


source = sys.stdin.buffer.read()
tree = Parser(Language(tree_sitter_powershell.language())).parse(source)
sys.setrecursionlimit(100000)
print(json.dumps({"errors": syntax_errors(tree, source), "tree": emit(tree.root_node, source)}))
