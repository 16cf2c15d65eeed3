"""How figures combine over units: the roll-up rules, on plain data frames (no database).

`indicators/analytics.py` fetches units and figures and calls `evaluate_tree`; every rule is
decided here, so it is tested with hand-built frames. The rules are written down in
docs/decisions/0004-rollup.md.

Vocabulary. A *node* is a unit evaluated for one scope. Its value is its own figure when it
has one ("reported"); else the combination of its *members* ("computed"): the nodes of its
child units and, for the agency scopes, the agencies of the unit itself.
"""

from dataclasses import dataclass

import numpy as np
import pandas as pd

SELF = "self"
TIER_LEVELS = {"communes": "commune", "districts": "district"}
# Agency scopes: the level of the units whose agencies count, and the kinds that count
# (None: any).
AGENCY_SCOPES: dict[str, tuple[str | None, tuple[str, ...] | None]] = {
    "departments": ("province", ("department",)),
    "district_offices": ("district", ("office",)),
    "all_agencies": (None, None),
}
# The scopes a unit of each level can be asked for (and a local plan of it can set): itself,
# the tiers below it, and the agencies the agency scopes count. The one list of them.
SCOPES_OF_LEVEL = {
    "province": (SELF, "departments", "districts", "district_offices", "communes", "all_agencies"),
    "district": (SELF, "district_offices", "communes", "all_agencies"),
    "commune": (SELF, "all_agencies"),
}
PEOPLES_COMMITTEE = "peoples_committee"
AGENCY = "agency"

LEVELS_BOTTOM_UP = ("commune", "district", "province")
_DEPTH = {"commune": 0, "district": 1, "province": 2}

REPORTED = "reported"
COMPUTED = "computed"
PREDECESSORS = "predecessors"
NO_DATA = "none"

# Below a third of the members it should cover, a combined value does not stand for the
# unit: pages grey it with its coverage, the API says `sufficient: false`, the readiness
# index leaves it out (docs/decisions/0017).
COVERAGE_THRESHOLD = 1 / 3


def low_coverage(origin, covered, expected, percent_only=0):
    """Whether combined values (origin computed or predecessors) cover too few of their
    members (or members unknown) to stand for their unit; scalars or arrays alike. The
    members a ratio of sums left out (`percent_only`) do not count as covering it."""
    origin, expected = np.asarray(origin), np.asarray(expected)
    covered = np.asarray(covered) - np.nan_to_num(np.asarray(percent_only, dtype=float))
    combined = np.isin(origin, [COMPUTED, PREDECESSORS])
    with np.errstate(divide="ignore", invalid="ignore"):
        share = np.where(expected > 0, covered / np.where(expected > 0, expected, 1), 0.0)
    return combined & ((expected <= 0) | (share < COVERAGE_THRESHOLD))


RATIO_OF_SUMS = "ratio_of_sums"
SHARE_YES = "share_yes"
SUM = "sum"
MEAN = "mean"

# One row per member: `key` is the node it belongs to; `value` is a percentage for ratios
# and shares, 1/0 for a yes/no answer (`answer` true), the number for counts and amounts.
MEMBER_COLUMNS = [
    "key",
    "value",
    "numerator",
    "denominator",
    "answer",
    "covered",
    "expected",
    "percent_only",
]
# The same members as sums (see member_stats): what the database can GROUP BY. s_pct_nested
# and s_pct_dropped count, in the coverage's units (communes, agencies…), what a ratio of
# sums leaves out: inside the members with counts, and the members without.
STATS_COLUMNS = [
    "key",
    "n",
    "n_counted",
    "s_num",
    "s_den",
    "s_value",
    "covered",
    "expected",
    "s_pct_nested",
    "s_pct_dropped",
]
NODE_COLUMNS = [
    "value",
    "numerator",
    "denominator",
    "answer",
    "origin",
    "covered",
    "expected",
    "coverage_level",
    "figure_id",
    "figure_period",
    "source",
    "percent_only",
]


@dataclass(frozen=True)
class Rule:
    """What the engine needs to know of an indicator."""

    unit_rollup: str
    is_boolean: bool


# Several indicators are evaluated in one pass by giving each a slot: a node's key is the
# integer slot × SLOT + unit id (int64; unit ids stay far below SLOT). A top has no parent:
# its parent's key is NO_PARENT (in its slot: slot × SLOT + NO_PARENT), which no node has,
# no unit's id being 0. Ids and keys are never floats (issue 17).
SLOT = 10**10
NO_PARENT = 0


def as_keys(values) -> np.ndarray:
    """Unit ids or keys as int64 keys; a missing one (None or NaN: a top's parent) as
    NO_PARENT."""
    if isinstance(getattr(values, "dtype", None), pd.Int64Dtype):  # a nullable id column
        return values.to_numpy(dtype="int64", na_value=NO_PARENT)
    array = np.asarray(values)
    if array.dtype.kind in "iu":
        return array.astype("int64", copy=False)
    # (Read from a column that holds a missing id: NaN, or None among ints.)
    floats = np.asarray(values, dtype=float)
    missing = np.isnan(floats)
    if not np.array_equal(floats[~missing], np.trunc(floats[~missing])):
        raise ValueError("An id or key is a whole number.")
    return np.where(missing, NO_PARENT, floats).astype("int64")


def in_slot(ids, slots) -> np.ndarray:
    """Ids (as_keys) moved into the slot given for each: slot × SLOT + id."""
    return as_keys(ids) + np.asarray(slots, dtype="int64") * SLOT


class Rules:
    """The rule of each row, for one indicator (a Rule) or several (by slot)."""

    def __init__(self, rules: Rule | dict[int, Rule]):
        self.single = rules if isinstance(rules, Rule) else None
        if self.single is None:
            size = max(rules) + 1
            self._rollup = np.full(size, "", dtype=object)
            self._boolean = np.zeros(size, dtype=bool)
            for slot, rule in rules.items():
                self._rollup[slot] = rule.unit_rollup
                self._boolean[slot] = rule.is_boolean

    def unit_rollup(self, keys) -> np.ndarray:
        if self.single is not None:
            return np.full(len(keys), self.single.unit_rollup, dtype=object)
        return self._rollup[as_keys(keys) // SLOT]

    def is_boolean(self, keys) -> np.ndarray:
        if self.single is not None:
            return np.full(len(keys), self.single.is_boolean, dtype=bool)
        return self._boolean[as_keys(keys) // SLOT]


def _rules(rule) -> Rules:
    return rule if isinstance(rule, Rules) else Rules(rule)


def node_scope(level: str, scope: str) -> str:
    """The scope a unit of `level` is evaluated for when its ancestor asks for `scope`.

    A commune asked for "communes" answers for itself; a district asked for "communes"
    answers for its communes; agency scopes pass down unchanged.
    """
    tier = TIER_LEVELS.get(scope)
    if tier is not None and _DEPTH[level] <= _DEPTH[tier]:
        return SELF
    return scope


def combine(members: pd.DataFrame, unit_rollup: str) -> pd.DataFrame:
    """Combine members per `key` by the indicator's rule over units.

    - ratio_of_sums: Σ numerators / Σ denominators over the members that have both; the
      members with only a percentage are left out of it and counted (`percent_only`). When
      no member has counts, the mean of the members' percentages.
    - share_yes: a yes/no answer counts as 1 of 1 (yes) or 0 of 1 (no), a share as its
      numerator of its denominator; then Σ/Σ while every member has counts, else the mean
      of the members' percentages: each member is one unit, whose share is its score (a
      district's share computed from its communes enters as a percentage, as_members).
    - sum and mean: of the values.

    Returns one row per key (the index): value, numerator, denominator (NaN where the rule
    gives none), covered and expected (summed over all members, with or without a value),
    `reporting`, how many members had a value, and `percent_only`, how many members with a
    value were left out of a ratio of sums for having no counts.
    """
    return finish(member_stats(members, unit_rollup), unit_rollup)


def member_stats(members: pd.DataFrame, unit_rollup: str) -> pd.DataFrame:
    """Each member as sums that add up across members (STATS_COLUMNS).

    Every rule is a function of these sums, so members aggregated by the database (GROUP BY
    the parent unit) and members built here combine by plain addition.
    """
    return pd.DataFrame(
        _member_sums(
            members["key"].to_numpy(),
            members["value"].to_numpy(dtype=float),
            members["numerator"].to_numpy(dtype=float),
            members["denominator"].to_numpy(dtype=float),
            members["answer"].fillna(False).astype(bool).to_numpy(),
            members["covered"].astype(int).to_numpy(),
            members["expected"].astype(int).to_numpy(),
            (
                members["percent_only"].fillna(0).astype(int).to_numpy()
                if "percent_only" in members
                else np.zeros(len(members), dtype=int)
            ),
            unit_rollup,
        )
    )


def _member_sums(
    key, value, numerator, denominator, answer, covered, expected, percent_only, unit_rollup
) -> dict[str, np.ndarray]:
    """member_stats on the members' arrays (value, numerator, denominator floats; answer a
    bool; covered, expected, percent_only ints): {STATS_COLUMNS: array}."""
    answer = answer & (_rollups(unit_rollup, key) == SHARE_YES)
    if answer.any():
        numerator = np.where(answer, value, numerator)
        denominator = np.where(answer, 1.0, denominator)
        value = np.where(answer, value * 100, value)
    has_value = ~np.isnan(value)
    counted = has_value & ~np.isnan(numerator) & ~np.isnan(denominator)
    return {
        "key": key,
        "n": has_value.astype(int),
        "n_counted": counted.astype(int),
        "s_num": np.where(counted, numerator, 0.0),
        "s_den": np.where(counted, denominator, 0.0),
        "s_value": np.where(has_value, value, 0.0),
        "covered": covered,
        "expected": expected,
        # What a ratio of sums leaves out, in the coverage's units: inside a member with
        # counts, its own; a member with a bare percentage, all it covers.
        "s_pct_nested": np.where(counted, percent_only, 0),
        "s_pct_dropped": np.where(has_value & ~counted, covered, 0),
    }


def _rollups(unit_rollup, keys) -> np.ndarray:
    """The rule over units of each key: one rule name, or a Rules for several indicators."""
    if isinstance(unit_rollup, Rules):
        return unit_rollup.unit_rollup(keys)
    return np.full(len(keys), unit_rollup, dtype=object)


def finish(stats: pd.DataFrame, unit_rollup) -> pd.DataFrame:
    """Add up members' sums per key and apply the rule (see combine). `unit_rollup` is a
    rule name, or a Rules giving each key's."""
    totals = stats[STATS_COLUMNS].groupby("key").sum()
    return pd.DataFrame(_applied(totals, _rollups(unit_rollup, totals.index)), index=totals.index)


def _applied(totals: pd.DataFrame, rollups: np.ndarray) -> dict[str, np.ndarray]:
    """finish's rule (`rollups`, each row's) on the sums of each row of `totals`, as arrays
    (pandas costs per operation; this runs at every level of every walk)."""
    n, n_counted, s_num, s_den, s_value, left_out = (
        totals[column].to_numpy(dtype=float)
        for column in ("n", "n_counted", "s_num", "s_den", "s_value", "s_pct_nested")
    )
    left_out = left_out + totals["s_pct_dropped"].to_numpy(dtype=float)
    reported = n > 0
    with np.errstate(divide="ignore", invalid="ignore"):
        mean = np.where(reported, s_value / np.where(reported, n, np.nan), np.nan)
    unknown = set(rollups) - {RATIO_OF_SUMS, SHARE_YES, SUM, MEAN}
    if unknown:
        raise ValueError(f"Quy tắc tổng hợp không hợp lệ: {unknown.pop()!r}")
    ratio_like = np.isin(rollups, [RATIO_OF_SUMS, SHARE_YES])
    has_counts = reported & (s_den > 0)
    every_counted = ratio_like & has_counts & (n_counted == n)
    # A ratio keeps the counts it has: the members with counts give Σ/Σ, and those with a
    # bare percentage are said, not averaged in unweighted (docs/decisions/0017).
    some_counted = (rollups == RATIO_OF_SUMS) & has_counts & (n_counted > 0)
    counted = every_counted | some_counted
    with np.errstate(divide="ignore", invalid="ignore"):
        ratio = 100 * s_num / np.where(counted, s_den, np.nan)
    return {
        "covered": totals["covered"].to_numpy().astype(int),
        "expected": totals["expected"].to_numpy().astype(int),
        "reporting": n.astype(int),
        "percent_only": np.where(counted, left_out, 0).astype(int),
        "numerator": np.where(counted, s_num, np.nan),
        "denominator": np.where(counted, s_den, np.nan),
        "value": np.select(
            [counted, ratio_like, rollups == SUM, rollups == MEAN],
            [ratio, mean, np.where(reported, s_value, np.nan), mean],
            default=np.nan,
        ),
    }


def evaluate_tree(
    units: pd.DataFrame,
    figures: pd.DataFrame,
    *,
    scope: str,
    rule: Rule,
    agencies: pd.DataFrame | None = None,
    leaf_stats: pd.DataFrame | None = None,
    known: pd.DataFrame | None = None,
) -> pd.DataFrame:
    """The value of every unit in `units` for `scope`, bottom-up; indexed by unit id.

    units: id, parent_id (NaN, None or NO_PARENT at the roots), level — a subtree in force
      on one date, each unit once.
    figures: one chosen figure per unit or agency and scope (time already rolled up):
      unit_id, agency_id (NaN for a unit's own; an agency's plain id, its slot being its
      unit's), agency_kind, scope, value, numerator, denominator, figure_id,
      figure_period, source.
    agencies: id, unit_id, kind (needed for the agency scopes only).
    leaf_stats: communes left out of `units`, already added up per parent by the database
      (STATS_COLUMNS, `key` the parent's id; each commune one member, answering for
      itself). At national scale this is most of the rows, so they never reach Python.
    known: nodes evaluated before, left out of `units` with their subtrees, that enter
      their parents as evaluated nodes do (indexed by id: parent_id, level, node_scope and
      NODE_COLUMNS, as this function returns them); not returned. The live aggregates pass
      the districts a change did not touch, read from the table (indicators/aggregates.py).

    The walk runs on numpy arrays (_Walk), made into a frame once at the end: pandas costs
    per operation, and the live aggregates walk three trees for every approval
    (docs/decisions/0035).
    """
    walk = _Walk(units, figures, _rules(rule), agencies, leaf_stats, known)
    results = []
    for depth, level in enumerate(LEVELS_BOTTOM_UP):
        at = np.flatnonzero(walk.depth == depth)
        if len(at):
            results.append(walk.level(depth, node_scope(level, scope), at))
    if results:
        return _Nodes.frame(results)
    if known is None or known.empty:
        return pd.DataFrame(columns=_WALK_COLUMNS)
    nodes = known[_WALK_COLUMNS].assign(parent_id=as_keys(known["parent_id"]))
    nodes.index = pd.Index(as_keys(known.index), name=known.index.name)
    return nodes


# A walk's node columns (the id apart), and those holding numbers.
_WALK_COLUMNS = ["parent_id", "level", "node_scope", *NODE_COLUMNS]
_WALK_FLOATS = ("value", "numerator", "denominator", "covered", "expected", "percent_only")
# The members' sums in the order of STATS_COLUMNS (the key apart): one float matrix.
_SUMS = STATS_COLUMNS[1:]
_VALUES = ("value", "numerator", "denominator")


class _Nodes:
    """Evaluated nodes as arrays: `id` and the _WALK_COLUMNS; inside a walk also `parent_at`
    and `parent_depth`, where their parent is in the walk's units and its depth (-1: none)."""

    def __init__(self, columns: dict[str, np.ndarray]):
        self.columns = columns

    def __getitem__(self, name: str) -> np.ndarray:
        return self.columns[name]

    def __len__(self) -> int:
        return len(self.columns["id"])

    @classmethod
    def known(cls, known: pd.DataFrame) -> "_Nodes":
        columns = {"id": as_keys(known.index), "parent_id": as_keys(known["parent_id"])}
        for name in _WALK_COLUMNS[1:]:
            if name in _WALK_FLOATS:
                columns[name] = known[name].to_numpy(dtype=float)
            elif name == "answer":
                columns[name] = known[name].to_numpy(dtype=bool)
            elif name == "figure_id":  # an int or None, as the walk's own
                columns[name] = known[name].to_numpy(dtype=object, na_value=None)
            else:
                columns[name] = known[name].to_numpy()
        return cls(columns)

    def plus(self, other: "_Nodes") -> "_Nodes":
        if not len(self):
            return other
        return _Nodes({name: np.concatenate([self[name], other[name]]) for name in other.columns})

    def take(self, where: np.ndarray) -> "_Nodes":
        return _Nodes({name: array[where] for name, array in self.columns.items()})

    @staticmethod
    def frame(parts: list["_Nodes"]) -> pd.DataFrame:
        """The nodes as evaluate_tree returns them: one frame, indexed by id."""

        def joined(name):
            return np.concatenate([part[name] for part in parts])

        index = pd.Index(joined("id"), name="id")
        columns = {name: joined(name) for name in _WALK_COLUMNS}
        for name in ("figure_id", "figure_period", "source"):
            # As objects, None where no figure (pandas would make strings' NaN of it).
            columns[name] = pd.Series(columns[name], index=index, dtype=object)
        return pd.DataFrame(columns, index=index)


class _Walk:
    """One evaluate_tree: its inputs as arrays, every id placed once among the units (its
    position, `…_at`, -1 where it is not one of them), what is known so far of each unit's
    members, and the evaluation of a level."""

    def __init__(self, units, figures, rule: Rules, agencies, leaf_stats, known):
        self.rule = rule
        # Every id and key as an int64 key (a missing parent: NO_PARENT).
        self.ids = as_keys(units["id"])
        self._order = np.argsort(self.ids, kind="stable")
        self._sorted = self.ids[self._order]
        if (self._sorted[1:] == self._sorted[:-1]).any():
            raise ValueError("A unit is given twice to evaluate_tree.")
        levels = units["level"].to_numpy()
        self.depth = np.full(len(self.ids), -1, dtype=int)
        for depth, level in enumerate(LEVELS_BOTTOM_UP):
            self.depth[levels == level] = depth
        self.parents = as_keys(units["parent_id"])
        self.figures = figures
        self._own: dict[str, np.ndarray] = {}
        self.agencies = agencies
        self._agencies: tuple | None = None
        if leaf_stats is None or leaf_stats.empty:
            self.leaf_keys = np.zeros(0, dtype="int64")
            self.leaf_sums = np.zeros((0, len(_SUMS)))
        else:
            self.leaf_keys = as_keys(leaf_stats["key"])
            self.leaf_sums = leaf_stats[_SUMS].to_numpy(dtype=float)
        self.leaf_at = self.position(self.leaf_keys)
        self.leaf_depth = np.full(len(self.leaf_at), -1)
        self.leaf_depth[self.leaf_at >= 0] = self.depth[self.leaf_at[self.leaf_at >= 0]]
        # What each unit has below it so far: communes the database added up, nodes (and
        # the level of its first node).
        self.has_communes = np.zeros(len(self.ids), dtype=bool)
        self.has_communes[self.leaf_at[self.leaf_at >= 0]] = True
        self.has_nodes = np.zeros(len(self.ids), dtype=bool)
        self.child_level = np.full(len(self.ids), None, dtype=object)
        self.done = _Nodes({"id": np.zeros(0, dtype="int64")})
        if known is not None and not known.empty:
            self._add(_Nodes.known(known))

    def position(self, keys: np.ndarray) -> np.ndarray:
        """Where each key is among the units (-1: not there)."""
        if not len(self._order):
            return np.full(len(keys), -1)
        place, found = _lookup(self._sorted, keys)
        return np.where(found, self._order[place], -1)

    def _add(self, nodes: _Nodes) -> None:
        """Nodes evaluated: they are members of their parents from now on."""
        at = self.position(nodes["parent_id"])
        inside = at >= 0
        depth = np.full(len(at), -1)
        depth[inside] = self.depth[at[inside]]
        nodes.columns["parent_at"], nodes.columns["parent_depth"] = at, depth
        self.done = self.done.plus(nodes)
        parents, first = np.unique(at[inside], return_index=True)
        new = ~self.has_nodes[parents]
        self.child_level[parents[new]] = nodes["level"][inside][first][new]
        self.has_nodes[parents] = True

    def level(self, depth: int, ns: str, at: np.ndarray) -> _Nodes:
        """The nodes of the units `at` (all those of one depth), for node scope `ns`."""
        rule, level = self.rule, LEVELS_BOTTOM_UP[depth]
        ids = self.ids[at]
        value, numerator, denominator, covered, expected, percent_only = self._computed(
            depth, ns, at
        )
        origin = np.where(np.isnan(value), NO_DATA, COMPUTED).astype(object)
        answer = np.zeros(len(ids), dtype=bool)
        figure_id = np.full(len(ids), None, dtype=object)
        figure_period, source = figure_id.copy(), figure_id.copy()

        rows = self.own(ns)[at]
        reported = rows >= 0
        if reported.any():
            mine = self.figures.iloc[rows[reported]]
            value[reported] = mine["value"].to_numpy(dtype=float)
            numerator[reported] = mine["numerator"].to_numpy(dtype=float)
            denominator[reported] = mine["denominator"].to_numpy(dtype=float)
            origin[reported] = REPORTED
            percent_only[reported] = 0
            answer[reported] = rule.is_boolean(ids[reported]) & (ns == SELF)
            figure_id[reported] = mine["figure_id"].to_numpy(dtype=object, na_value=None)
            figure_period[reported] = mine["figure_period"].to_numpy()
            source[reported] = mine["source"].to_numpy()
            # A figure reported for a whole tier covers every member of it. A share of units
            # (18 of 29 departments) names the tier's size when the registry does not.
            if ns != SELF:
                where = np.flatnonzero(reported)
                shares = rule.unit_rollup(ids[reported]) == SHARE_YES
                unknown = where[(expected[where] == 0) & shares & ~np.isnan(denominator[where])]
                expected[unknown] = denominator[unknown]
            covered[reported] = expected[reported]
        # A unit with no units below it (a commune) counts as one for itself.
        leaf = np.full(len(ids), ns == SELF) & ~(self.has_communes[at] | self.has_nodes[at])
        expected[leaf] = 1
        covered[leaf] = (origin[leaf] != NO_DATA).astype(int)
        nodes = _Nodes(
            {
                "id": ids,
                "parent_id": self.parents[at],
                "level": np.full(len(ids), level, dtype=object),
                "node_scope": np.full(len(ids), ns, dtype=object),
                "value": value,
                "numerator": numerator,
                "denominator": denominator,
                "answer": answer,
                "origin": origin,
                "covered": covered,
                "expected": expected,
                "coverage_level": self._coverage_level(ns, level, at),
                "figure_id": figure_id,
                "figure_period": figure_period,
                "source": source,
                "percent_only": percent_only,
            }
        )
        self._add(nodes)
        return nodes

    def _computed(self, depth: int, ns: str, at: np.ndarray) -> tuple[np.ndarray, ...]:
        """The members of the units `at` combined (finish), as float arrays: value,
        numerator, denominator (NaN where none), covered, expected, percent_only (0)."""
        unit_at, sums = self._members(depth, ns)
        # Added up by the units' keys, as the engine always grouped them: pandas adds a
        # group's floats with compensation or not by whether the keys come in order, so
        # the keys, not positions, keep the last bits as they were.
        totals = pd.DataFrame(sums, columns=_SUMS).groupby(self.ids[unit_at]).sum()
        keys = totals.index.to_numpy()
        applied = _applied(totals, _rollups(self.rule, keys))
        found = self.position(keys)
        result = []
        for name in ("value", "numerator", "denominator", "covered", "expected", "percent_only"):
            array = np.full(len(self.ids), np.nan if name in _VALUES else 0.0)
            array[found] = applied[name]
            result.append(array[at])
        return tuple(result)

    def _members(self, depth: int, ns: str) -> tuple[np.ndarray, np.ndarray]:
        """The members of the units of `depth` as sums (_SUMS), one row each, and the unit
        each belongs to (its position): their child nodes, counted one each for "self" (in
        that order), their agencies for an agency scope, then the communes the database
        added up."""
        units, sums = [], []

        def add(members, unit_at):
            stats = _member_sums(*members, self.rule)
            units.append(unit_at)
            sums.append(np.column_stack([stats[name] for name in _SUMS]))

        done = self.done
        if len(done):
            children = done.take(done["parent_depth"] == depth)
            counts_one = children["node_scope"] == SELF
            for count_one in (True, False):
                part = children.take(counts_one == count_one)
                if len(part):
                    members = _member_arrays(
                        part, part["parent_id"], self.rule, count_one=count_one
                    )
                    add(members, part["parent_at"])
        if ns in AGENCY_SCOPES and self.agencies is not None:
            self._agency_members(depth, ns, add)
        below = self.leaf_depth == depth
        units.append(self.leaf_at[below])
        sums.append(self.leaf_sums[below])
        return np.concatenate(units), np.concatenate(sums)

    def _agency_members(self, depth: int, scope: str, add) -> None:
        """The agencies of the units of `depth` that the agency scope counts, with their own
        figures, `add`ed as members."""
        agency_level, kinds = AGENCY_SCOPES[scope]
        if agency_level is not None and agency_level != LEVELS_BOTTOM_UP[depth]:
            return
        if self._agencies is None:
            self._agencies = self._agency_figures()
        unit_at, kind, value, numerator, denominator = self._agencies
        mine = np.flatnonzero(unit_at >= 0)
        mine = mine[self.depth[unit_at[mine]] == depth]
        if kinds is not None:
            mine = mine[np.isin(kind[mine], kinds)]
        if not len(mine):
            return
        units = self.ids[unit_at[mine]]
        add(
            (
                units,
                value[mine],
                numerator[mine],
                denominator[mine],
                self.rule.is_boolean(units),
                (~np.isnan(value[mine])).astype(int),
                np.ones(len(mine), dtype=int),
                np.zeros(len(mine), dtype=int),
            ),
            unit_at[mine],
        )

    def _agency_figures(self) -> tuple[np.ndarray, ...]:
        """Each agency's unit (its place among the units) and kind, and its own figure's
        value, numerator and denominator (NaN where it has none)."""
        figures, agencies = self.figures, self.agencies
        own = figures[figures["agency_id"].notna() & (figures["scope"] == SELF)]
        # An agency's key: its id in its unit's slot (agencies are shifted as units are).
        slot_start = as_keys(own["unit_id"]) // SLOT * SLOT
        keys, first = np.unique(slot_start + as_keys(own["agency_id"]), return_index=True)
        place, found = _lookup(keys, as_keys(agencies["id"]))
        rows = own.iloc[first[place[found]]] if len(keys) else own

        def column(name):
            array = np.full(len(agencies), np.nan)
            array[found] = rows[name].to_numpy(dtype=float)
            return array

        return (
            self.position(as_keys(agencies["unit_id"])),
            agencies["kind"].to_numpy(),
            column("value"),
            column("numerator"),
            column("denominator"),
        )

    def own(self, ns: str) -> np.ndarray:
        """Each unit's own figure for node scope `ns` (own_figures): its row in `figures`,
        -1 where it has none."""
        if ns not in self._own:
            keys, rows = _own_figure_rows(self.figures, ns)
            at = self.position(keys)
            own = np.full(len(self.ids), -1)
            own[at[at >= 0]] = rows[at >= 0]
            self._own[ns] = own
        return self._own[ns]

    def _coverage_level(self, ns: str, level: str, at: np.ndarray) -> np.ndarray:
        """What the coverage counts: the tier's level, agencies, or the unit's children."""
        if ns in TIER_LEVELS:
            return np.full(len(at), TIER_LEVELS[ns], dtype=object)
        if ns in AGENCY_SCOPES:
            return np.full(len(at), AGENCY, dtype=object)
        levels = np.full(len(at), level, dtype=object)
        levels[self.has_communes[at]] = "commune"
        nodes = self.has_nodes[at]
        # (A known node without a level leaves its parent's own, as before.)
        child = self.child_level[at][nodes]
        levels[nodes] = np.where(pd.isna(child), level, child)
        return levels


def _own_figure_rows(figures: pd.DataFrame, ns: str) -> tuple[np.ndarray, np.ndarray]:
    """own_figures as positions: the unit keys having one, sorted, and for each the row of
    `figures` holding it."""
    scope = figures["scope"].to_numpy()
    unit_ids = as_keys(figures["unit_id"])
    own = np.flatnonzero(figures["agency_id"].isna().to_numpy() & (scope == ns))
    if ns == SELF:
        # A unit's People's Committee speaks for the unit when the unit itself has no
        # figure of its own.
        committee = np.flatnonzero(
            (figures["agency_kind"].to_numpy() == PEOPLES_COMMITTEE) & (scope == SELF)
        )
        committee = committee[~np.isin(unit_ids[committee], unit_ids[own])]
        own = np.concatenate([own, committee])
    keys, first = np.unique(unit_ids[own], return_index=True)
    return keys, own[first]


def _lookup(keys: np.ndarray, wanted: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Where each of `wanted` is in the sorted `keys`, and whether it is there (where it is
    not, the place is 0, a valid index if `keys` has any)."""
    place = np.searchsorted(keys, wanted)
    place[place == len(keys)] = 0
    found = (keys[place] == wanted) if len(keys) else np.zeros(len(wanted), dtype=bool)
    return place, found


def own_figures(figures: pd.DataFrame, ns: str) -> pd.DataFrame:
    """Each unit's own figure for node scope `ns`, indexed by unit_id: its figure of that
    scope, or for "self", when it has none, its People's Committee's (_own_figure_rows)."""
    _keys, rows = _own_figure_rows(figures, ns)
    return figures.iloc[rows].set_index("unit_id")


def leaf_values(figures: pd.DataFrame, leaves: pd.Index, rule) -> pd.DataFrame:
    """What evaluate_tree gives units without members (a commune) for scope "self": its own
    figure (own_figures), a yes/no answer as such, else no value. Indexed by `leaves`:
    value and answer, without a tree walk (a district's ranking asks for its communes)."""
    keys, rows = _own_figure_rows(figures, SELF)
    wanted = leaves.to_numpy(dtype="int64")
    place, reported = _lookup(keys, wanted)
    # (By positions: the own figures' frame indexed by unit and reindexed cost a district's
    # ranking more than the rest of this.)
    value = np.full(len(wanted), np.nan)
    value[reported] = figures["value"].to_numpy(dtype=float)[rows[place[reported]]]
    return pd.DataFrame(
        {"value": value, "answer": _rules(rule).is_boolean(wanted) & reported},
        index=leaves,
    )


def evaluate_tops(
    units: pd.DataFrame,
    figures: pd.DataFrame,
    *,
    scope: str,
    rules: dict[int, Rule],
    tops: list[int],
    agencies: pd.DataFrame | None = None,
    leaf_stats: pd.DataFrame | None = None,
) -> dict[int, dict[int, dict]]:
    """evaluate_tree for several indicators in one pass, keeping only the `tops`' results, as
    plain rows: {indicator id: {unit id: its row}}. `figures` and `leaf_stats` carry an
    `indicator_id`. Each indicator gets a slot and every unit, agency and parent id is
    shifted into it, so the one tree walk serves them all, and one conversion gives all the
    rows (a dashboard asks for tens of indicators of tens of units; pandas pays per
    operation, not per row)."""
    nodes, slots = _evaluate_slotted(units, figures, scope, rules, agencies, leaf_stats)
    wanted = [top + slot * SLOT for slot in slots.values() for top in tops]
    rows = nodes.loc[nodes.index.isin(wanted)].to_dict("index")
    result: dict[int, dict[int, dict]] = {}
    for indicator_id, slot in slots.items():
        result[indicator_id] = {top: rows[top + slot * SLOT] for top in tops}
    return result


def _evaluate_slotted(units, figures, scope, rules, agencies, leaf_stats):
    """The tree walk of evaluate_tops: all indicators' nodes, ids shifted into their slots."""
    slots = {indicator_id: n for n, indicator_id in enumerate(rules, start=1)}

    all_units = in_slots(units, list(slots.values()), ("id", "parent_id"))
    figures = figures[figures["indicator_id"].isin(slots)].copy()
    # An agency's figure moves with its unit; its agency id stays (_Walk._agency_figures).
    figures["unit_id"] = in_slot(figures["unit_id"], figures["indicator_id"].map(slots))
    all_agencies = None
    if agencies is not None:
        all_agencies = in_slots(agencies, list(slots.values()), ("id", "unit_id"))
    all_leaves = None
    if leaf_stats is not None and not leaf_stats.empty:
        all_leaves = leaf_stats[leaf_stats["indicator_id"].isin(slots)].copy()
        all_leaves["key"] = in_slot(all_leaves["key"], all_leaves["indicator_id"].map(slots))
        all_leaves = all_leaves[STATS_COLUMNS]
    nodes = evaluate_tree(
        all_units,
        figures,
        scope=scope,
        rule=Rules({slots[i]: rule for i, rule in rules.items()}),
        agencies=all_agencies,
        leaf_stats=all_leaves,
    )
    return nodes, slots


def in_slots(frame: pd.DataFrame, slots: list[int], shifted: tuple[str, ...]) -> pd.DataFrame:
    """The frame repeated once per slot (slot by slot), its `shifted` id columns moved into
    the slot (id + slot × SLOT, as_keys): one tree walk then serves every slot at once."""
    shifts = np.array(slots, dtype="int64") * SLOT
    n = len(frame)
    return pd.DataFrame(
        {
            column: (
                np.tile(as_keys(frame[column]), len(shifts)) + np.repeat(shifts, n)
                if column in shifted
                else np.tile(frame[column].to_numpy(), len(shifts))
            )
            for column in frame.columns
        }
    )


def as_members(nodes: pd.DataFrame, key: pd.Series, rule: Rule, *, count_one: bool) -> pd.DataFrame:
    """Node results as members of `key` (their parent, or their successor).

    With count_one, each node counts as one member (covered if it has a value); otherwise
    its own coverage passes through. A yes/no indicator's share computed for a whole unit
    enters as a percentage only: its counts are of a lower tier and must not be added to
    answers of this one.
    """
    columns = {name: nodes[name].to_numpy() for name in nodes.columns}
    columns.setdefault("percent_only", np.zeros(len(nodes), dtype=int))
    arrays = _member_arrays(columns, key.to_numpy(), rule, count_one=count_one)
    return pd.DataFrame(dict(zip(MEMBER_COLUMNS, arrays, strict=True)))


def _member_arrays(nodes, key, rule, *, count_one: bool) -> tuple[np.ndarray, ...]:
    """as_members on the nodes' arrays (a mapping of column to array): the MEMBER_COLUMNS'
    arrays, as _member_sums takes them."""
    value = np.asarray(nodes["value"], dtype=float)
    numerator = np.asarray(nodes["numerator"], dtype=float)
    denominator = np.asarray(nodes["denominator"], dtype=float)
    share = _rules(rule).unit_rollup(key) == SHARE_YES
    drop = share & (nodes["origin"] != REPORTED) & (nodes["node_scope"] == SELF)
    if drop.any():
        numerator = np.where(drop, np.nan, numerator)
        denominator = np.where(drop, np.nan, denominator)
    if count_one:
        covered = (~np.isnan(value)).astype(int)
        expected = np.ones(len(value), dtype=int)
        percent_only = np.zeros(len(value), dtype=int)
    else:
        covered = np.asarray(nodes["covered"]).astype(int)
        expected = np.asarray(nodes["expected"]).astype(int)
        percent_only = np.nan_to_num(np.asarray(nodes["percent_only"], dtype=float)).astype(int)
    answer = np.asarray(nodes["answer"], dtype=bool)
    return key, value, numerator, denominator, answer, covered, expected, percent_only


def combine_predecessors(nodes: pd.DataFrame, key: pd.Series, rule) -> pd.DataFrame:
    """The values of units formed from others (`nodes`: the predecessors' nodes; `key`: the
    successor each belongs to), combined by the rule over units.

    Coverage passes through: a 2025 province's communes, or the departments of each province
    it was formed from. But a predecessor with no value and nothing known to expect (a
    province with no department registered) would add 0 of 0 and make the rest look
    complete: then the coverage counts the predecessors instead, 1 of 2 provinces, with
    `by_units` set (the caller names the level: the successor's)."""
    rules = _rules(rule)
    through = combine(as_members(nodes, key, rules, count_one=False), rules)
    unknown = pd.Series(
        (nodes["value"].isna() & (nodes["expected"].astype(int) == 0)).to_numpy(),
        index=key.to_numpy(),
    )
    lacking = unknown.groupby(level=0).any().reindex(through.index, fill_value=False)
    if lacking.any():  # (the units counted only where needed: most of the time, nowhere)
        counted = combine(as_members(nodes, key, rules, count_one=True), rules)
        columns = ["covered", "expected"]
        through.loc[lacking, columns] = counted.loc[lacking, columns]
    through["by_units"] = lacking
    return through
