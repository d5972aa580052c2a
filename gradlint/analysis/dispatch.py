"""The walker's dispatch tables: the method that evaluates each kind of expression node, and walks
each kind of statement (built once per ``Analyzer``, looked up by the node's exact type)."""

from __future__ import annotations

import libcst as cst

from .number_tests import literal_number
from .values import NUMBER, UNKNOWN, literal_string


def dispatch_tables(walker) -> tuple:
    """(expressions, compound statements, small statements) -> the walker's bound methods."""
    evaluate = {
        cst.Name: walker._eval_name,
        cst.Attribute: walker._eval_attribute,
        cst.Call: walker._eval_call,
        cst.BinaryOperation: walker._eval_binary,
        cst.UnaryOperation: walker._eval_unary,
        cst.Subscript: walker._eval_subscript,
        cst.List: walker._eval_display,
        cst.Tuple: walker._eval_display,
        cst.Set: walker._eval_display,
        cst.ListComp: walker._eval_comprehension,
        cst.GeneratorExp: walker._eval_comprehension,
        cst.SetComp: walker._eval_comprehension,
        cst.DictComp: walker._eval_dictcomp,
        cst.Comparison: walker._eval_comparison,
        cst.IfExp: walker._eval_ifexp,
        cst.Dict: walker._eval_dict,
        cst.Integer: literal_number,
        cst.Float: literal_number,
        cst.Imaginary: lambda node: NUMBER,
        cst.SimpleString: literal_string,
        cst.Lambda: lambda node: UNKNOWN,
        cst.NamedExpr: walker._eval_namedexpr,
        cst.Yield: walker._eval_yield,
    }
    statement = {
        cst.SimpleStatementLine: walker._stmt_line,
        cst.If: walker._stmt_if,
        cst.For: walker._stmt_for,
        cst.While: walker._stmt_while,
        cst.With: walker._stmt_with,
        cst.Try: walker._stmt_try,
        cst.TryStar: walker._stmt_try,
        cst.FunctionDef: walker._stmt_functiondef,
        cst.ClassDef: walker._stmt_classdef,
    }
    small = {
        cst.Expr: walker._small_expr,
        cst.Assign: walker._small_assign,
        cst.AnnAssign: walker._small_annassign,
        cst.AugAssign: walker._small_augassign,
        cst.Import: walker._small_import,
        cst.ImportFrom: walker._small_importfrom,
        cst.Return: walker._small_terminal,
        cst.Raise: walker._small_terminal,
        cst.Continue: walker._small_terminal,
        cst.Break: walker._small_terminal,
        cst.Del: walker._small_del,
    }
    return evaluate, statement, small
