"""A validation rule's side: an arithmetic expression over indicator codes of one unit and
period (`SVC_ONLINE_FULL + SVC_ONLINE_PARTIAL`, `WEB_PORTAL * 100`), parsed by Python's own
parser into a tree that only numbers, codes, + − × ÷ and brackets may appear in. Nothing is
ever evaluated by Python: the tree is walked here (docs/decisions/0024)."""

import ast
from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal, DivisionByZero, InvalidOperation

from django.utils.translation import gettext_lazy as _

MAX_LENGTH = 500
_OPERATORS = {ast.Add: "+", ast.Sub: "-", ast.Mult: "*", ast.Div: "/"}


class ExpressionError(ValueError):
    """An expression that cannot be parsed: the message says what and where (1-based)."""

    def __init__(self, message, position: int | None = None):
        self.position = position
        if position is not None:
            message = _("%(message)s (ở ký tự thứ %(position)s)") % {
                "message": message,
                "position": position,
            }
        super().__init__(str(message))


@dataclass(frozen=True)
class Expression:
    text: str
    tree: ast.expr
    codes: frozenset[str]

    def evaluate(self, values: Mapping[str, Decimal]) -> Decimal | None:
        """The value over `values` (code → value); None if a code has no value or a
        division is by zero (the rule is then skipped, as DHIS2's "skip if any value is
        missing")."""
        try:
            return _walk(self.tree, values)
        except (KeyError, DivisionByZero, InvalidOperation):
            return None


def parse(text: str) -> Expression:
    """Parse a side of a rule; ExpressionError says what is wrong and where."""
    text = (text or "").strip()
    if not text:
        raise ExpressionError(_("Biểu thức trống."))
    if len(text) > MAX_LENGTH:
        raise ExpressionError(_("Biểu thức dài quá %(n)s ký tự.") % {"n": MAX_LENGTH})
    try:
        tree = ast.parse(text, mode="eval").body
    except SyntaxError as exc:
        # Python points at the wrong token, or gives 0 when the text ends too soon.
        raise ExpressionError(_("Biểu thức sai cú pháp."), exc.offset or len(text) + 1) from None
    codes = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Name):
            codes.add(node.id)
        elif isinstance(node, ast.Constant):
            if isinstance(node.value, bool) or not isinstance(node.value, int | float):
                raise ExpressionError(_("Chỉ được dùng số và mã chỉ tiêu."), node.col_offset + 1)
        elif isinstance(node, ast.BinOp):
            if type(node.op) not in _OPERATORS:
                raise ExpressionError(
                    _("Phép tính không được phép: chỉ dùng + − × ÷ (+ - * /)."),
                    node.col_offset + 1,
                )
        elif isinstance(node, ast.UnaryOp):
            if not isinstance(node.op, ast.USub | ast.UAdd):
                raise ExpressionError(_("Phép tính không được phép."), node.col_offset + 1)
        elif not isinstance(node, ast.operator | ast.unaryop | ast.Load):
            raise ExpressionError(
                _("Chỉ được dùng số, mã chỉ tiêu, + - * / và dấu ngoặc."),
                getattr(node, "col_offset", 0) + 1,
            )
    return Expression(text=text, tree=tree, codes=frozenset(codes))


def _walk(node: ast.expr, values: Mapping[str, Decimal]) -> Decimal:
    if isinstance(node, ast.Name):
        value = values[node.id]
        if value is None:
            raise KeyError(node.id)
        return Decimal(value)
    if isinstance(node, ast.Constant):
        return Decimal(repr(node.value))
    if isinstance(node, ast.UnaryOp):
        inner = _walk(node.operand, values)
        return -inner if isinstance(node.op, ast.USub) else inner
    left, right = _walk(node.left, values), _walk(node.right, values)
    if isinstance(node.op, ast.Add):
        return left + right
    if isinstance(node.op, ast.Sub):
        return left - right
    if isinstance(node.op, ast.Mult):
        return left * right
    if right == 0:
        raise DivisionByZero
    return left / right
