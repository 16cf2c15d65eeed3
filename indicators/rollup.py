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
    value = members["value"].astype(float)
    numerator = members["numerator"].astype(float)
    denominator = members["denominator"].astype(float)
    share = _rollups(unit_rollup, members["key"]) == SHARE_YES
    answer = members["answer"].fillna(False).astype(bool).to_numpy() & share
    if answer.any():
        numerator = numerator.where(~answer, value)
        denominator = denominator.where(~answer, 1.0)
        value = value.where(~answer, value * 100)
    has_value = value.notna()
    counted = has_value & numerator.notna() & denominator.notna()
    covered = members["covered"].astype(int)
    nested = (
        members["percent_only"].fillna(0).astype(int)
        if "percent_only" in members
        else pd.Series(0, index=members.index)
    )
    return pd.DataFrame(
        {
            "key": members["key"].to_numpy(),
            "n": has_value.astype(int).to_numpy(),
            "n_counted": counted.astype(int).to_numpy(),
            "s_num": numerator.where(counted, 0.0).to_numpy(),
            "s_den": denominator.where(counted, 0.0).to_numpy(),
            "s_value": value.fillna(0.0).to_numpy(),
            "covered": covered.to_numpy(),
            "expected": members["expected"].astype(int).to_numpy(),
            # What a ratio of sums leaves out, in the coverage's units: inside a member
            # with counts, its own; a member with a bare percentage, all it covers.
            "s_pct_nested": nested.where(counted, 0).to_numpy(),
            "s_pct_dropped": covered.where(has_value & ~counted, 0).to_numpy(),
        }
    )


def _rollups(unit_rollup, keys) -> np.ndarray:
    """The rule over units of each key: one rule name, or a Rules for several indicators."""
    if isinstance(unit_rollup, Rules):
        return unit_rollup.unit_rollup(keys)
    return np.full(len(keys), unit_rollup, dtype=object)


def finish(stats: pd.DataFrame, unit_rollup) -> pd.DataFrame:
    """Add up members' sums per key and apply the rule (see combine). `unit_rollup` is a
    rule name, or a Rules giving each key's."""
    totals = stats[STATS_COLUMNS].groupby("key").sum()
    # The rule on the sums' arrays (pandas costs per operation; this runs at every level of
    # every walk).
    n, n_counted, s_num, s_den, s_value, left_out = (
        totals[column].to_numpy(dtype=float)
        for column in ("n", "n_counted", "s_num", "s_den", "s_value", "s_pct_nested")
    )
    left_out = left_out + totals["s_pct_dropped"].to_numpy(dtype=float)
    reported = n > 0
    with np.errstate(divide="ignore", invalid="ignore"):
        mean = np.where(reported, s_value / np.where(reported, n, np.nan), np.nan)
    rollups = _rollups(unit_rollup, totals.index)
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
    return pd.DataFrame(
        {
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
        },
        index=totals.index,
    )


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
      on one date.
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
    """
    if leaf_stats is None:
        leaf_stats = pd.DataFrame(columns=STATS_COLUMNS)
    rule = _rules(rule)
    # Every id and key as an int64 key (a missing parent: NO_PARENT).
    units = units.assign(id=as_keys(units["id"]), parent_id=as_keys(units["parent_id"]))
    figures = figures.assign(unit_id=as_keys(figures["unit_id"]))
    leaf_stats = leaf_stats.assign(key=as_keys(leaf_stats["key"]))
    is_unit_figure = figures["agency_id"].isna()
    results: list[pd.DataFrame] = []
    done = pd.DataFrame(columns=["parent_id", "level", "node_scope", *NODE_COLUMNS])
    if known is not None and not known.empty:
        done = known[done.columns].assign(parent_id=as_keys(known["parent_id"]))
        done.index = pd.Index(as_keys(known.index), name=known.index.name)
    for level in LEVELS_BOTTOM_UP:
        nodes = units[units["level"] == level]
        if nodes.empty:
            continue
        ns = node_scope(level, scope)
        members = [_child_members(done, nodes, rule)]
        if ns in AGENCY_SCOPES and agencies is not None:
            members.append(_agency_members(agencies, nodes, figures, ns, level, rule))
        stats = [member_stats(m, rule) for m in members if not m.empty]
        stats.append(leaf_stats[leaf_stats["key"].isin(nodes["id"])])
        computed = finish(pd.concat([s for s in stats if not s.empty] or stats), rule)

        own = own_figures(figures, ns, is_unit_figure)

        # The node's columns as arrays, made into a frame once (pandas costs per operation,
        # and this runs at every level of every walk).
        ids = nodes["id"].to_numpy()
        index = pd.Index(ids, name="id")
        found = computed.reindex(index)
        value, numerator, denominator, covered, expected, percent_only = (
            found[column].to_numpy(dtype=float, copy=True)
            for column in (
                "value",
                "numerator",
                "denominator",
                "covered",
                "expected",
                "percent_only",
            )
        )
        for column in (covered, expected, percent_only):
            column[np.isnan(column)] = 0
        origin = np.where(np.isnan(value), NO_DATA, COMPUTED).astype(object)
        answer = np.zeros(len(ids), dtype=bool)
        figure_id = np.full(len(ids), None, dtype=object)
        figure_period, source = figure_id.copy(), figure_id.copy()

        reported = index.isin(own.index)
        if reported.any():
            mine = own.loc[ids[reported]]
            value[reported] = mine["value"].to_numpy(dtype=float)
            numerator[reported] = mine["numerator"].to_numpy(dtype=float)
            denominator[reported] = mine["denominator"].to_numpy(dtype=float)
            origin[reported] = REPORTED
            percent_only[reported] = 0
            answer[reported] = rule.is_boolean(ids[reported]) & (ns == SELF)
            figure_id[reported] = mine["figure_id"].to_numpy()
            figure_period[reported] = mine["figure_period"].to_numpy()
            source[reported] = mine["source"].to_numpy()
            # A figure reported for a whole tier covers every member of it. A share of units
            # (18 of 29 departments) names the tier's size when the registry does not.
            if ns != SELF:
                at = np.flatnonzero(reported)
                shares = rule.unit_rollup(ids[reported]) == SHARE_YES
                unknown = at[(expected[at] == 0) & shares & ~np.isnan(denominator[at])]
                expected[unknown] = denominator[unknown]
            covered[reported] = expected[reported]
        # A unit with no units below it (a commune) counts as one for itself.
        has_children = index.isin(leaf_stats["key"])
        if not done.empty:
            has_children |= index.isin(done["parent_id"])
        leaf = np.full(len(ids), ns == SELF) & np.logical_not(has_children)
        expected[leaf] = 1
        covered[leaf] = (origin[leaf] != NO_DATA).astype(int)
        node = pd.DataFrame(
            {
                "parent_id": nodes["parent_id"].to_numpy(),
                "level": level,
                "node_scope": ns,
                "value": value,
                "numerator": numerator,
                "denominator": denominator,
                "answer": answer,
                "origin": origin,
                "covered": covered,
                "expected": expected,
                "coverage_level": _coverage_level(ns, level, done, nodes, leaf_stats),
                # As objects, None where no figure (pandas would make strings' NaN of it).
                "figure_id": pd.Series(figure_id, index=index, dtype=object),
                "figure_period": pd.Series(figure_period, index=index, dtype=object),
                "source": pd.Series(source, index=index, dtype=object),
                "percent_only": percent_only,
            },
            index=index,
        )
        results.append(node)
        done = pd.concat([done, node]) if not done.empty else node
    if not results:
        return done
    return pd.concat(results)[["parent_id", "level", "node_scope", *NODE_COLUMNS]]


def own_figures(figures: pd.DataFrame, ns: str, is_unit_figure=None) -> pd.DataFrame:
    """Each unit's own figure for node scope `ns`, indexed by unit_id: its figure of that
    scope, or for "self", when it has none, its People's Committee's."""
    if is_unit_figure is None:
        is_unit_figure = figures["agency_id"].isna()
    own = figures[is_unit_figure & (figures["scope"] == ns)]
    if ns == SELF:
        # A unit's People's Committee speaks for the unit when the unit itself has no
        # figure of its own.
        committee = figures[
            (figures["agency_kind"] == PEOPLES_COMMITTEE) & (figures["scope"] == SELF)
        ]
        own = pd.concat([own, committee[~committee["unit_id"].isin(own["unit_id"])]])
    return own.drop_duplicates("unit_id").set_index("unit_id")


def leaf_values(figures: pd.DataFrame, leaves: pd.Index, rule) -> pd.DataFrame:
    """What evaluate_tree gives units without members (a commune) for scope "self": its own
    figure (own_figures), a yes/no answer as such, else no value. Indexed by `leaves`:
    value and answer, without a tree walk (a district's ranking asks for its communes)."""
    own = own_figures(figures, SELF)
    reported = leaves.isin(own.index)
    return pd.DataFrame(
        {
            "value": own["value"].reindex(leaves).to_numpy(dtype=float),
            "answer": _rules(rule).is_boolean(leaves.to_numpy()) & reported,
        },
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
    # An agency's figure moves with its unit; its agency id stays (_agency_members).
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
    numerator = nodes["numerator"].to_numpy(dtype=float)
    denominator = nodes["denominator"].to_numpy(dtype=float)
    share = _rules(rule).unit_rollup(key.to_numpy()) == SHARE_YES
    drop = (
        share & (nodes["origin"].to_numpy() != REPORTED) & (nodes["node_scope"].to_numpy() == SELF)
    )
    if drop.any():  # (on the arrays: .loc on the frame cost a millisecond a call)
        numerator = np.where(drop, np.nan, numerator)
        denominator = np.where(drop, np.nan, denominator)
    members = pd.DataFrame(
        {
            "key": key.to_numpy(),
            "value": nodes["value"].to_numpy(dtype=float),
            "numerator": numerator,
            "denominator": denominator,
            "answer": nodes["answer"].to_numpy(dtype=bool),
        }
    )
    if count_one:
        members["covered"] = nodes["value"].notna().to_numpy().astype(int)
        members["expected"] = 1
        members["percent_only"] = 0
    else:
        members["covered"] = nodes["covered"].to_numpy(dtype=int)
        members["expected"] = nodes["expected"].to_numpy(dtype=int)
        members["percent_only"] = (
            nodes["percent_only"].fillna(0).to_numpy(dtype=int) if "percent_only" in nodes else 0
        )
    return members


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


def _child_members(done: pd.DataFrame, nodes: pd.DataFrame, rule: Rule) -> pd.DataFrame:
    if done.empty:
        return _empty_members()
    children = done[done["parent_id"].isin(nodes["id"])]
    if children.empty:
        return _empty_members()
    parts = []
    counts_one = (children["node_scope"] == SELF).to_numpy()
    for count_one in (True, False):
        part = children[counts_one == count_one]
        if not part.empty:
            parts.append(as_members(part, part["parent_id"], rule, count_one=count_one))
    return pd.concat(parts)


def _agency_members(
    agencies: pd.DataFrame,
    nodes: pd.DataFrame,
    figures: pd.DataFrame,
    scope: str,
    level: str,
    rule: Rule,
) -> pd.DataFrame:
    """The agencies of these units that the agency scope counts, with their own figures."""
    agency_level, kinds = AGENCY_SCOPES[scope]
    if agency_level is not None and agency_level != level:
        return _empty_members()
    mine = agencies[agencies["unit_id"].isin(nodes["id"])]
    if kinds is not None:
        mine = mine[mine["kind"].isin(kinds)]
    if mine.empty:
        return _empty_members()
    own = figures[figures["agency_id"].notna() & (figures["scope"] == SELF)]
    # An agency's key: its id in its unit's slot (agencies are shifted as units are).
    slot_start = own["unit_id"].to_numpy(dtype="int64") // SLOT * SLOT
    own = own.assign(agency_key=slot_start + own["agency_id"].to_numpy(dtype="int64"))
    own = own.drop_duplicates("agency_key").set_index("agency_key")
    values = own.reindex(as_keys(mine["id"]))
    return pd.DataFrame(
        {
            "key": mine["unit_id"].to_numpy(),
            "value": values["value"].to_numpy(dtype=float),
            "numerator": values["numerator"].to_numpy(dtype=float),
            "denominator": values["denominator"].to_numpy(dtype=float),
            "answer": _rules(rule).is_boolean(mine["unit_id"].to_numpy()),
            "covered": values["value"].notna().to_numpy().astype(int),
            "expected": 1,
            "percent_only": 0,
        }
    )


def _coverage_level(
    scope: str, level: str, done: pd.DataFrame, nodes: pd.DataFrame, leaf_stats: pd.DataFrame
):
    """What the coverage counts: the tier's level, agencies, or the unit's children."""
    if scope in TIER_LEVELS:
        return TIER_LEVELS[scope]
    if scope in AGENCY_SCOPES:
        return AGENCY
    levels = pd.Series("commune", index=pd.Index(leaf_stats["key"].unique()), dtype=object)
    if not done.empty:
        children = done.loc[done["parent_id"].isin(nodes["id"])].drop_duplicates("parent_id")
        levels = pd.concat([levels, children.set_index("parent_id")["level"]])
        levels = levels[~levels.index.duplicated(keep="last")]
    mapped = nodes["id"].map(levels).astype(object)
    return mapped.where(mapped.notna(), level).to_numpy()


def _empty_members() -> pd.DataFrame:
    return _EMPTY_MEMBERS.copy()


_EMPTY_MEMBERS = pd.DataFrame(
    {column: pd.Series(dtype="int64" if column == "key" else float) for column in MEMBER_COLUMNS}
)
