"""DHIS2's metadata query language, the part clients use: `fields` (with nested
brackets and the presets `*` and `:all`), `filter=property:operator:value` (several are
ANDed) and paging (`page`, `pageSize`, `paging=false`, answered with a `pager`)."""

import math
import unicodedata
from dataclasses import dataclass

from django.utils.translation import gettext as _

ALL = ("*", ":all", ":owner", ":identifiable", ":nameable")
DEFAULT_PAGE_SIZE = 50
MAX_PAGE_SIZE = 10_000


class QueryError(ValueError):
    """A query DHIS2 would refuse (409 Conflict): the message says what and where."""


def parse_fields(text: str | None, default: str = "id,displayName") -> dict:
    """`id,name,parent[id,name]` as {"id": {}, "name": {}, "parent": {"id": {}, "name": {}}};
    a preset as {"*": {}}."""
    text = (text or default).replace(" ", "")
    tree, stack, name = {}, [], ""
    node = tree
    for char in text + ",":
        if char in ",[]":
            if name:
                node[name] = node.get(name, {})
            if char == "[":
                if not name:
                    raise QueryError(_("fields: «[» không đứng sau tên trường."))
                stack.append(node)
                node = node[name]
            elif char == "]":
                if not stack:
                    raise QueryError(_("fields: thừa «]»."))
                node = stack.pop()
            name = ""
        else:
            name += char
    if stack:
        raise QueryError(_("fields: thiếu «]»."))
    return tree


def select(item: dict, fields: dict) -> dict:
    """The item with the fields asked for; a nested object or list of objects is selected
    with its own fields (`parent[id]`), or as its id when none are given."""
    if not fields or any(p in fields for p in ALL):
        return item
    out = {}
    for name, inner in fields.items():
        if name not in item:
            continue
        value = item[name]
        if isinstance(value, dict):
            out[name] = select(value, inner) if inner else {"id": value.get("id")}
        elif isinstance(value, list) and value and isinstance(value[0], dict):
            out[name] = [select(v, inner) if inner else {"id": v.get("id")} for v in value]
        else:
            out[name] = value
    return out


@dataclass(frozen=True)
class Filter:
    path: str  # "code", "parent.id"
    operator: str
    value: str


OPERATORS = (
    "eq",
    "!eq",
    "ne",
    "like",
    "ilike",
    "!like",
    "!ilike",
    "in",
    "!in",
    "gt",
    "ge",
    "lt",
    "le",
    "null",
    "!null",
)


def parse_filters(texts: list[str]) -> list[Filter]:
    found = []
    for text in texts:
        parts = text.split(":", 2)
        if len(parts) < 2 or parts[1] not in OPERATORS:
            raise QueryError(
                _("filter «%(text)s»: cần dạng thuộc_tính:phép_so_sánh:giá_trị (%(ops)s).")
                % {"text": text, "ops": ", ".join(OPERATORS)}
            )
        found.append(Filter(parts[0], parts[1], parts[2] if len(parts) > 2 else ""))
    return found


def _folded(text) -> str:
    text = unicodedata.normalize("NFD", str(text).replace("đ", "d").replace("Đ", "D"))
    return "".join(c for c in text if not unicodedata.combining(c)).casefold()


def _get(item: dict, path: str):
    value = item
    for part in path.split("."):
        if not isinstance(value, dict):
            return None
        value = value.get(part)
    return value


def matches(item: dict, flt: Filter) -> bool:
    value = _get(item, flt.path)
    op, wanted = flt.operator, flt.value
    if op == "null":
        return value is None
    if op == "!null":
        return value is not None
    if op in ("in", "!in"):
        members = {v.strip() for v in wanted.strip("[]").split(",")}
        return (str(value) in members) == (op == "in")
    if op in ("like", "!like"):
        return (wanted in str(value or "")) == (op == "like")
    if op in ("ilike", "!ilike"):
        # Case- and accent-blind: "vinh linh" finds "Vĩnh Linh".
        return (_folded(wanted) in _folded(value or "")) == (op == "ilike")
    if op in ("eq", "!eq", "ne"):
        return (str(value) == wanted) == (op == "eq")
    if value is None:
        return False
    try:
        left, right = float(value), float(wanted)
    except (TypeError, ValueError):
        left, right = str(value), wanted
    return {"gt": left > right, "ge": left >= right, "lt": left < right, "le": left <= right}[op]


def page_of(items: list, params, *, collection: str, url: str) -> dict:
    """The page asked for, with DHIS2's pager (or every item with paging=false)."""
    if str(params.get("paging", "true")).lower() == "false":
        return {collection: items}
    try:
        page = max(int(params.get("page", 1)), 1)
        size = min(max(int(params.get("pageSize", DEFAULT_PAGE_SIZE)), 1), MAX_PAGE_SIZE)
    except ValueError:
        raise QueryError(_("page và pageSize phải là số nguyên.")) from None
    total = len(items)
    count = max(math.ceil(total / size), 1)
    pager = {"page": page, "total": total, "pageSize": size, "pageCount": count}
    if page < count:
        pager["nextPage"] = _page_url(url, params, page + 1)
    if page > 1:
        pager["prevPage"] = _page_url(url, params, page - 1)
    return {"pager": pager, collection: items[(page - 1) * size : page * size]}


def _page_url(url: str, params, page: int) -> str:
    query = params.copy()
    query["page"] = str(page)
    return f"{url}?{query.urlencode()}"
