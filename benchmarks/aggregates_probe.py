"""Measurements behind docs/decisions/0013-live-aggregates.md (issue 17, part 2): what a
table of rolled-up results would hold, what one change touches, and what keeping it
current costs, measured with the existing engine and with a prototype of the table.

Usage (PostgreSQL, after load_reference_data and generate_national_data):
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/egov_he \\
        .venv/bin/python benchmarks/aggregates_probe.py [--period 2024Q3] [--sections ...]

Read-only for the application's tables: the prototype lives in a table of its own
(`probe_aggregate`, dropped at the end), and the simulated approvals and imports run in a
transaction that is rolled back. Nothing here is imported by the application.

Two variants of the table: rows only for units that have members (districts, provinces; the
communes read from their figures, as the engine does) — the design chosen — and, with
--with-leaves, a row for every node (communes, and the 2025 communes formed from them). The
table is built with every row; the chosen variant deletes the communes' in its rolled-back
transaction.

Sections and their time at --scale 0.25 on 2 cores: dataset (s), full (1 min), count (4 min),
touched (s), build (1 min), approval (1 min: the engine's recompute takes 12 s a run), bulk
(10 s), reads (s). approval, bulk and reads need the table: run build first, or in the same
command, and --keep it between runs.
"""

# ruff: noqa: S608 -- the only name put into SQL text is this module's TABLE constant

import argparse
import datetime
import os
import resource
import statistics
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "egov_portal.settings")

import django  # noqa: E402

django.setup()

import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402
from django.db import connection, transaction  # noqa: E402
from django.db.models import Count, F, Q  # noqa: E402

from indicators import analytics, rollup  # noqa: E402
from indicators.models import Figure, Indicator  # noqa: E402
from indicators.periods import PeriodKind, enclosing, parse_period  # noqa: E402
from units.models import REORGANISATION_2025_ON, Unit, UnitChange, in_force_q  # noqa: E402

APPROVED = analytics.APPROVED_ONLY
UNIT_SCOPES = ("self", "communes", "districts")  # the agency scopes: see count_rows
# A node is stored under the scope it is evaluated for (rollup.node_scope): a commune asked
# for "communes" is its "self" node, a district asked for "districts" too.
STORED_SCOPES = {
    "commune": ("self",),
    "district": ("self", "communes"),
    "province": ("self", "communes", "districts"),
}


def peak_mb() -> int:
    return round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024)


def ms(seconds: float) -> str:
    return f"{seconds * 1000:,.1f} ms"


def timed(work, repeat: int = 5) -> tuple[float, float]:
    """(median, max) seconds of `repeat` runs after one to warm up."""
    work()
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        work()
        times.append(time.perf_counter() - started)
    return statistics.median(times), max(times)


def containing(period) -> list:
    """The period and every longer period that contains it (2024Q3: 2024S2, 2024)."""
    out = [period]
    for kind in (PeriodKind.HALF, PeriodKind.YEAR):
        if kind.rank < period.kind.rank:
            out.append(enclosing(period, kind))
    return out


# --- The existing engine, evaluating every node of the country ----------------------------


def tree_frame(on) -> pd.DataFrame:
    return pd.DataFrame.from_records(
        Unit.objects.in_force(on).values_list("id", "parent_id", "level"),
        columns=["id", "parent_id", "level"],
    )


def structure_day(period):
    """The tree a period is read through: its end, or for a period running across the
    reorganisation the old units' last day (the synthetic figures are of the 2024 units)."""
    if period.start < REORGANISATION_2025_ON <= period.end:
        return REORGANISATION_2025_ON - datetime.timedelta(days=1)
    return period.end


def engine_nodes(indicators, period, scope, *, tree=None, statuses=APPROVED) -> pd.DataFrame:
    """Every node of the tree in force at the period's end, for `scope`, by the engine's own
    pieces (analytics._in_period, _figure_rows, _flow_totals; rollup._evaluate_slotted),
    communes read as rows (as analytics._evaluate does for scope all_agencies). One row per
    unit × indicator: unit_id, indicator_id and rollup.NODE_COLUMNS."""
    on = structure_day(period)
    if tree is None:
        tree = tree_frame(on)
    rolled = analytics._with_sub_period_figures(indicators, period)
    figures = Figure.objects.filter(indicator__in=indicators, status__in=statuses).order_by()
    figures = analytics._in_period(figures, indicators, rolled, period, statuses)
    figures = figures.filter(in_force_q(on, "unit__"))
    rows = analytics._figure_rows(figures, [scope])
    flows = {i.pk: i for i in indicators if i.time_rollup == Indicator.TimeRollup.FLOW}
    if flows and not rows.empty:
        flowing = rows["indicator_id"].isin(flows)
        ratios = {pk for pk, i in flows.items() if i.value_type == Indicator.ValueType.RATIO}
        rows = pd.concat(
            [rows[~flowing], analytics._flow_totals(rows[flowing], ratios)], ignore_index=True
        )
    nodes, slots = rollup._evaluate_slotted(
        tree, rows, scope, {i.pk: analytics._rule(i) for i in indicators}, None, None
    )
    by_slot = {slot: pk for pk, slot in slots.items()}
    keys = nodes.index.to_numpy(dtype="int64")
    nodes = nodes.reset_index(drop=True)
    nodes.insert(0, "indicator_id", [by_slot[int(k // rollup.SLOT)] for k in keys])
    nodes.insert(0, "unit_id", keys % rollup.SLOT)
    parent = nodes["parent_id"] % rollup.SLOT
    nodes["parent_id"] = parent.where(parent != rollup.NO_PARENT)  # a top's: NULL
    return nodes


def has_data(nodes: pd.DataFrame) -> pd.Series:
    """A row worth storing: a value, or members that reported (covered > 0)."""
    return nodes["origin"].ne(rollup.NO_DATA) | nodes["covered"].gt(0)


# --- 1. The data set ----------------------------------------------------------------------


def dataset(period) -> dict:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(*), count(*) FILTER (WHERE status = 'approved') FROM indicators_figure"
        )
        figures, approved = cursor.fetchone()
        cursor.execute(
            "SELECT count(DISTINCT unit_id) FROM indicators_figure f JOIN units_unit u"
            " ON u.id = f.unit_id WHERE u.level = 'commune' AND f.period = %s",
            [period.id],
        )
        communes_reporting = cursor.fetchone()[0]
    levels = dict(Unit.objects.in_force(period.end).values_list("level").annotate(n=Count("id")))
    out = {
        "figures": figures,
        "approved": approved,
        "indicators": Indicator.objects.count(),
        "units_in_force": levels,
        "units_2025": Unit.objects.filter(valid_from__isnull=False).count(),
        "communes_reporting": communes_reporting,
    }
    print(f"figures {figures:,} ({approved:,} approved); indicators {out['indicators']}")
    print(f"units in force {period.end}: {levels}; units formed 2025: {out['units_2025']:,}")
    print(f"communes with figures in {period.id}: {communes_reporting:,}")
    return out


# --- 2. A full recompute of one indicator × quarter ---------------------------------------


def full_recompute(indicator, period) -> dict:
    """Every node of the country for one indicator, quarter and scope (communes as rows),
    against the engine's national roll-up by province and a raw GROUP BY."""
    out = {}
    tree = tree_frame(period.end)
    for scope in UNIT_SCOPES:
        median, worst = timed(lambda s=scope: engine_nodes([indicator], period, s, tree=tree))
        out[f"all_nodes_{scope}"] = median
        print(f"  all nodes, scope {scope}: median {ms(median)}, max {ms(worst)}")
    tree_read, _ = timed(lambda: tree_frame(period.end))
    out["tree_read"] = tree_read
    print(f"  (of which reading the tree of {len(tree):,} units: {ms(tree_read)})")
    median, _ = timed(lambda: analytics.rollup_provinces(indicator, period))
    out["rollup_provinces"] = median
    print(f"  engine, national roll-up by province (cold): {ms(median)}")

    def raw():
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT u.province_id, count(*), sum(f.value) FROM indicators_figure f"
                " JOIN units_unit u ON u.id = f.unit_id WHERE f.indicator_id = %s"
                " AND f.period = %s AND f.scope = 'self' AND f.status = 'approved'"
                " GROUP BY u.province_id",
                [indicator.pk, period.id],
            )
            cursor.fetchall()

    median, _ = timed(raw)
    out["raw_group_by"] = median
    print(f"  raw GROUP BY over figures: {ms(median)}")
    indicators = list(Indicator.objects.order_by("position"))
    started = time.perf_counter()
    for scope in UNIT_SCOPES:
        engine_nodes(indicators, period, scope, tree=tree)
    out["all_indicators_all_nodes"] = time.perf_counter() - started
    print(
        f"  all {len(indicators)} indicators, every node (communes as rows), 3 scopes:"
        f" {ms(out['all_indicators_all_nodes'])}"
    )
    # What a backfill without rows for communes costs: the engine's own path (communes
    # added up by the database), every indicator at once, the provinces as tops (the walk
    # evaluates every district and province on the way).
    provinces = list(Unit.objects.in_force(period.end).filter(level="province"))
    for p in containing(period):
        started = time.perf_counter()
        for scope in UNIT_SCOPES:
            analytics._evaluate(indicators, provinces, p, scope, p.end, APPROVED)
        out[f"inner_nodes_all_indicators_{p.id}"] = time.perf_counter() - started
        print(
            f"  all indicators, every district and province, 3 scopes, {p.id}:"
            f" {ms(out[f'inner_nodes_all_indicators_{p.id}'])}"
        )
    return out


# --- 3. How many rows the table would hold ------------------------------------------------


def count_rows(periods: list, batch: int = 20) -> pd.DataFrame:
    """Rows with data (a value, or covered > 0) per period, level and stored scope, from a
    full evaluation (the backfill's work, timed)."""
    indicators = list(Indicator.objects.order_by("position"))
    parts = []
    for period in periods:
        started = time.perf_counter()
        tree = tree_frame(structure_day(period))
        level_of = tree.set_index("id")["level"]
        for scope in UNIT_SCOPES:
            for i in range(0, len(indicators), batch):
                nodes = engine_nodes(indicators[i : i + batch], period, scope, tree=tree)
                nodes["level"] = nodes["unit_id"].map(level_of)
                stored = nodes["level"].map(lambda lv, s=scope: s in STORED_SCOPES[lv])
                kept = nodes[has_data(nodes) & stored]
                if kept.empty:
                    continue
                parts.append(
                    kept.groupby("level")
                    .size()
                    .rename("rows")
                    .reset_index()
                    .assign(period=period.id, kind=period.kind.value, scope=scope)
                )
        print(f"  {period.id}: evaluated in {time.perf_counter() - started:.1f} s", flush=True)
    counts = (
        pd.concat(parts).groupby(["period", "kind", "level", "scope"], as_index=False)["rows"].sum()
    )
    return counts


# --- 4. What one figure touches -----------------------------------------------------------


def touched(figure: Figure) -> dict[str, set]:
    """The nodes whose row may change when `figure` enters or leaves "approved": keys
    (unit id, indicator id, period id, stored scope), by what relates them to the figure.
    This is the dependency closure; with an early stop (a node whose row did not change
    changes nothing above it) the write path recomputes fewer."""
    unit = figure.unit
    out: dict[str, set] = {"own": set(), "ancestors": set(), "successors": set()}
    scope = figure.scope
    if figure.agency_id is not None and figure.agency.kind != rollup.PEOPLES_COMMITTEE:
        return out  # an agency's own figure counts only in the agency scopes (none here)
    # The district, then the province ("district" < "province").
    chain = [
        unit,
        *Unit.objects.filter(pk__in=[unit.district_id, unit.province_id]).order_by("level"),
    ]
    for period in containing(parse_period(figure.period)):
        out["own"].add((unit.pk, figure.indicator_id, period.id, scope))
        below_level, below_scopes = unit.level, {scope}
        for ancestor in chain[1:]:
            hit = {
                s
                for s in STORED_SCOPES[ancestor.level]
                if rollup.node_scope(below_level, s) in below_scopes
            }
            out["ancestors"] |= {(ancestor.pk, figure.indicator_id, period.id, s) for s in hit}
            below_level, below_scopes = ancestor.level, hit
    # The 2025 units formed from any of them (same level), for periods before they existed.
    affected = out["own"] | out["ancestors"]
    edges = list(
        UnitChange.objects.filter(predecessor_id__in={k[0] for k in affected})
        .filter(predecessor__level=F("successor__level"))
        .select_related("successor")
    )
    for unit_id, indicator_id, period_id, s in affected:
        period = parse_period(period_id)
        for edge in edges:
            if edge.predecessor_id == unit_id and edge.successor.valid_from > period.start:
                out["successors"].add((edge.successor_id, indicator_id, period_id, s))
    return out


def touched_report(period) -> dict:
    out = {}
    samples = {
        "commune figure": Q(unit__level="commune", agency__isnull=True),
        "district figure": Q(unit__level="district", agency__isnull=True),
        "province figure": Q(unit__level="province", agency__isnull=True),
    }
    for label, where in samples.items():
        for pid in (period.id, "2025Q2"):
            figure = (
                Figure.objects.filter(where, period=pid, scope="self")
                .select_related("unit", "agency")
                .order_by("id")
                .first()
            )
            if figure is None:
                continue
            found = touched(figure)
            sizes = {k: len(v) for k, v in found.items()}
            total = sum(sizes.values())
            out[f"{label} {pid}"] = {**sizes, "total": total}
            print(f"  {label} in {pid}: {sizes}, total {total}")
    return out


# --- 5. The prototype table ---------------------------------------------------------------

TABLE = "probe_aggregate"


def create_table() -> None:
    with connection.cursor() as cursor:
        cursor.execute(f"DROP TABLE IF EXISTS {TABLE}")
        cursor.execute(
            f"""
            CREATE TABLE {TABLE} (
                unit_id integer NOT NULL,
                indicator_id integer NOT NULL,
                scope varchar(20) NOT NULL,
                period varchar(7) NOT NULL,
                parent_id integer,
                value numeric(30, 10), numerator numeric(24, 4), denominator numeric(24, 4),
                answer boolean NOT NULL, origin varchar(12) NOT NULL,
                covered integer NOT NULL, expected integer NOT NULL,
                coverage_level varchar(10) NOT NULL, figure_id bigint,
                is_partial boolean NOT NULL DEFAULT false,
                -- what the node adds to its parent (rollup.as_members, then member_stats)
                m_n integer NOT NULL, m_counted integer NOT NULL, m_num numeric(30, 10) NOT NULL,
                m_den numeric(30, 10) NOT NULL, m_value numeric(30, 10) NOT NULL,
                m_covered integer NOT NULL, m_expected integer NOT NULL,
                -- m_expected when nothing special happens (1 for a "self" node, else the
                -- tier's size): a node without a row counts by that
                m_expected_base integer NOT NULL,
                PRIMARY KEY (unit_id, indicator_id, scope, period)
            )
            """
        )


COLUMNS = [
    "unit_id", "indicator_id", "scope", "period", "parent_id", "value", "numerator",
    "denominator", "answer", "origin", "covered", "expected", "coverage_level", "figure_id",
    "is_partial", "m_n", "m_counted", "m_num", "m_den", "m_value", "m_covered", "m_expected",
    "m_expected_base",
]  # fmt: skip


def structure(on) -> pd.DataFrame:
    """Per unit in force on `on`: level, parent, and the sizes a node without data still
    has (children, communes and districts below it)."""
    tree = tree_frame(on).set_index("id")
    frame = tree.copy()
    frame["n_children"] = tree.groupby("parent_id").size().reindex(tree.index).fillna(0)
    units = pd.DataFrame.from_records(
        Unit.objects.in_force(on).values_list("id", "level", "district_id", "province_id"),
        columns=["id", "level", "district_id", "province_id"],
    )
    for level, column in (("commune", "n_communes"), ("district", "n_districts")):
        mine = units[units["level"] == level]
        counts = pd.concat([mine["district_id"], mine["province_id"]]).dropna().value_counts()
        frame[column] = counts.reindex(tree.index).fillna(0)
    return frame.astype({"n_children": int, "n_communes": int, "n_districts": int})


def base_expected(shape: pd.DataFrame, unit_ids, scopes) -> np.ndarray:
    """The expected members of each node when none of its members has a row: children for
    "self" (1 for a unit with none: a commune), the tier's units for a tier scope."""
    rows = shape.reindex(np.asarray(unit_ids))
    scopes = np.asarray(scopes)
    children = rows["n_children"].fillna(0).to_numpy()
    leaf_or_children = np.where(children > 0, children, 1)
    return np.select(
        [scopes == "communes", scopes == "districts"],
        [rows["n_communes"].fillna(0).to_numpy(), rows["n_districts"].fillna(0).to_numpy()],
        default=leaf_or_children,
    ).astype(int)


def slotted_rules(indicator_ids) -> tuple[rollup.Rules, dict[int, int]]:
    """One rollup.Rules for many indicators (as rollup.evaluate_tops does): slot by id."""
    indicators = Indicator.objects.in_bulk(list(indicator_ids))
    slots = {pk: n for n, pk in enumerate(sorted(indicators), start=1)}
    return rollup.Rules({slots[pk]: analytics._rule(i) for pk, i in indicators.items()}), slots


def with_contribution(nodes: pd.DataFrame, shape: pd.DataFrame) -> pd.DataFrame:
    """Add what each node adds to its parent: rollup.as_members then member_stats, all
    indicators at once (a "self" node counts as one member; a tier node passes its
    coverage on)."""
    if nodes.empty:
        return nodes
    rules, slots = slotted_rules(nodes["indicator_id"].unique().tolist())
    out = []
    for count_one in (True, False):
        part = nodes[(nodes["node_scope"] == rollup.SELF) == count_one]
        if part.empty:
            continue
        key = pd.Series(
            part["indicator_id"].map(slots).to_numpy(dtype="int64") * rollup.SLOT
            + np.arange(len(part))
        )
        stats = rollup.member_stats(rollup.as_members(part, key, rules, count_one=count_one), rules)
        part = part.copy()
        for mine, theirs in (
            ("m_n", "n"), ("m_counted", "n_counted"), ("m_num", "s_num"), ("m_den", "s_den"),
            ("m_value", "s_value"), ("m_covered", "covered"), ("m_expected", "expected"),
        ):  # fmt: skip
            part[mine] = stats[theirs].to_numpy()
        part["m_expected_base"] = (
            1 if count_one else base_expected(shape, part["unit_id"], part["node_scope"])
        )
        out.append(part)
    return pd.concat(out)


def write_rows(rows: pd.DataFrame, *, upsert: bool) -> None:
    """COPY the rows into the table (through a temporary table and INSERT … ON CONFLICT,
    in key order, when `upsert`)."""
    if rows.empty:
        return
    import io

    frame = rows.reindex(columns=COLUMNS)
    frame["figure_id"] = pd.to_numeric(frame["figure_id"]).astype("Int64")
    frame["parent_id"] = pd.to_numeric(frame["parent_id"]).astype("Int64")
    frame["is_partial"] = frame["is_partial"].astype(object).fillna(False).astype(bool)
    frame["answer"] = frame["answer"].astype(object).fillna(False).astype(bool)
    for c in ("covered", "expected", "m_n", "m_counted", "m_covered", "m_expected"):
        frame[c] = frame[c].astype("int64")
    buffer = io.StringIO()
    frame.to_csv(buffer, index=False, header=False, na_rep="\\N")
    buffer.seek(0)
    target = TABLE
    with connection.cursor() as cursor:
        if upsert:
            cursor.execute(f"CREATE TEMP TABLE IF NOT EXISTS probe_incoming (LIKE {TABLE})")
            cursor.execute("TRUNCATE probe_incoming")
            target = "probe_incoming"
        cursor.cursor.copy_expert(
            f"COPY {target} ({', '.join(COLUMNS)}) FROM STDIN WITH (FORMAT csv, NULL '\\N')",
            buffer,
        )
        if upsert:
            sets = ", ".join(f"{c} = EXCLUDED.{c}" for c in COLUMNS[4:])
            cursor.execute(
                f"INSERT INTO {TABLE} SELECT * FROM probe_incoming"
                " ORDER BY unit_id, indicator_id, scope, period"
                f" ON CONFLICT (unit_id, indicator_id, scope, period) DO UPDATE SET {sets}"
            )


def stored(nodes: pd.DataFrame, tree: pd.DataFrame, scope: str) -> pd.DataFrame:
    """The nodes worth a row: with data, under the scope they are stored by."""
    level_of = tree.set_index("id")["level"]
    nodes = nodes.copy()
    nodes["level"] = nodes["unit_id"].map(level_of)
    keep = nodes["level"].map(lambda lv: scope in STORED_SCOPES[lv]) & has_data(nodes)
    nodes = nodes[keep.astype(bool)].copy()
    nodes["scope"] = scope
    return nodes


def build(periods, indicators) -> dict:
    """The prototype table for these periods from a full evaluation (the backfill), then the
    2025 units' rows for the periods before they existed, from their predecessors' rows."""
    create_table()
    out = {}
    for period in periods:
        started = time.perf_counter()
        tree = tree_frame(period.end)
        shape = structure(period.end)
        for scope in UNIT_SCOPES:
            nodes = stored(engine_nodes(indicators, period, scope, tree=tree), tree, scope)
            nodes["period"] = period.id
            write_rows(with_contribution(nodes, shape), upsert=False)
        out[period.id] = time.perf_counter() - started
        started = time.perf_counter()
        successors_write(period, indicators, None)
        out[f"{period.id} successors"] = time.perf_counter() - started
        print(
            f"  {period.id}: {out[period.id]:.1f} s, successors"
            f" {out[f'{period.id} successors']:.1f} s",
            flush=True,
        )
    with connection.cursor() as cursor:
        # What a node's recompute reads: its members' rows.
        cursor.execute(f"CREATE INDEX ON {TABLE} (parent_id, period, indicator_id)")
        cursor.execute(f"ANALYZE {TABLE}")
        cursor.execute(f"SELECT count(*), pg_total_relation_size('{TABLE}') FROM {TABLE}")
        out["rows"], out["bytes"] = cursor.fetchone()
    print(f"  table: {out['rows']:,} rows, {out['bytes'] / 1e6:,.0f} MB with its primary key")
    return out


SHAPE_2025 = None  # structure(2025-09-30), read once


def successors_write(periods, indicators, predecessor_ids, shape=None) -> int:
    """The rows of units formed after these periods (one family: the same tree), from their
    same-level predecessors' rows (analytics._from_predecessors' rule, on stored rows; a
    predecessor without a row counts by its size). Limited to the successors of
    `predecessor_ids` when given; returns the rows written."""
    periods = periods if isinstance(periods, list) else [periods]
    period = periods[0]
    edges = UnitChange.objects.filter(
        predecessor__level=F("successor__level"), successor__valid_from__gt=period.start
    )
    if predecessor_ids is not None:
        ids = edges.filter(predecessor_id__in=predecessor_ids).values_list("successor_id")
        edges = edges.filter(successor_id__in=set(r[0] for r in ids))
    pairs = pd.DataFrame.from_records(
        edges.values_list("successor_id", "predecessor_id", "is_partial", "successor__level"),
        columns=["successor_id", "predecessor_id", "is_partial", "level"],
    )
    if pairs.empty:
        return 0
    global SHAPE_2025
    if SHAPE_2025 is None:
        SHAPE_2025 = structure(parse_period("2025Q3").end)
    if shape is None:
        shape = structure(period.end)
    scopes = pd.DataFrame(
        [(lv, s) for lv, ss in STORED_SCOPES.items() for s in ss], columns=["level", "scope"]
    )
    ids = [i.pk for i in indicators]
    every = (
        pairs.merge(scopes, on="level")
        .merge(pd.DataFrame({"indicator_id": ids}), how="cross")
        .merge(pd.DataFrame({"period": [p.id for p in periods]}), how="cross")
    )
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT unit_id, indicator_id, scope, period, value, numerator, denominator,"
            f" answer, origin, covered, expected, coverage_level FROM {TABLE}"
            " WHERE unit_id = ANY(%s) AND period = ANY(%s) AND indicator_id = ANY(%s)",
            [pairs["predecessor_id"].unique().tolist(), [p.id for p in periods], ids],
        )
        found = pd.DataFrame(
            cursor.fetchall(),
            columns=["predecessor_id", "indicator_id", "scope", "period", "value", "numerator",
                     "denominator", "answer", "origin", "covered", "expected", "coverage_level"],
        )  # fmt: skip
    members = every.merge(
        found, on=["predecessor_id", "indicator_id", "scope", "period"], how="left"
    )
    missing = members["origin"].isna()
    members.loc[missing, "origin"] = rollup.NO_DATA
    members.loc[missing, "covered"] = 0
    members.loc[missing, "answer"] = False
    members.loc[missing, "expected"] = base_expected(
        shape, members.loc[missing, "predecessor_id"], members.loc[missing, "scope"]
    )
    # A predecessor without a row: what its own row would say it counts.
    has_children = shape.reindex(members["predecessor_id"])["n_children"].to_numpy() > 0
    own_level = shape.reindex(members["predecessor_id"])["level"].to_numpy()
    child = np.where(own_level == "province", "district", "commune")
    level = pd.Series(np.where(has_children, child, own_level), index=members.index)
    tier = members["scope"].map({"communes": "commune", "districts": "district"})
    members["coverage_level"] = members["coverage_level"].fillna(tier.fillna(level))
    for c in ("value", "numerator", "denominator"):
        members[c] = pd.to_numeric(members[c]).astype(float)
    members["node_scope"] = members["scope"]
    rules, slots = slotted_rules(ids)
    # One key per successor × indicator × scope × period: the slot, then the rest.
    scope_no = members["scope"].map({"self": 0, "communes": 1, "districts": 2})
    period_no = members["period"].map({p.id: n for n, p in enumerate(periods)})
    members["key"] = (
        members["indicator_id"].map(slots).astype("int64") * rollup.SLOT
        + (members["successor_id"].astype("int64") * 4 + scope_no.astype("int64")) * 4
        + period_no.astype("int64")
    )
    combined = rollup.combine(
        rollup.as_members(members, members["key"], rules, count_one=False), rules
    )
    first = members.sort_values("predecessor_id").drop_duplicates("key").set_index("key")
    combined = combined.join(
        first[["successor_id", "indicator_id", "scope", "period", "coverage_level"]]
    )
    combined["is_partial"] = members.groupby("key")["is_partial"].any()
    combined["origin"] = np.where(combined["value"].notna(), rollup.PREDECESSORS, rollup.NO_DATA)
    combined["answer"] = False
    combined["node_scope"] = combined["scope"]
    combined["figure_id"] = None
    parts = [combined.rename(columns={"successor_id": "unit_id"}).reset_index(drop=True)]
    rows = pd.concat(parts)
    rows = rows[has_data(rows)].copy()
    rows["parent_id"] = None
    write_rows(with_contribution(rows, SHAPE_2025), upsert=True)
    return len(rows)


# --- 6. Keeping it current: one report approved, and a bulk import ------------------------


# The engine's figure fields and each figure's dates, which this prototype's rule over time
# is applied on in pandas (the engine's frames do not read them).
_FIELDS_DATED = [*analytics._FIGURE_FIELDS, "period_start", "period_end"]


def own_figures(unit_ids, periods, indicators) -> dict[str, pd.DataFrame]:
    """The units' own figures (and their People's Committees') that each period's rule over
    time keeps, from one read of every approved figure inside the widest period by unit and
    dates (figure_unit_period_idx), the rule applied per member here: for status
    indicators the latest (on a tie of end dates the wider), for flows all of them but a
    period a wider figure covers, added up by analytics._flow_totals. What
    analytics._time_rule says in SQL; no "any figure in a shorter period?" query, which
    reads every figure of the inner periods of the country."""
    widest = periods[-1]
    wanted = {i.pk for i in indicators}
    frame = pd.DataFrame.from_records(
        Figure.objects.filter(
            Q(agency__isnull=True) | Q(agency__kind=rollup.PEOPLES_COMMITTEE, scope=rollup.SELF),
            status__in=APPROVED,
            unit_id__in=unit_ids,
            period_start__gte=widest.start,
            period_end__gte=widest.start,
            period_end__lte=widest.end,
        )
        .order_by()
        .values_list(*_FIELDS_DATED),
        columns=_FIELDS_DATED,
    )
    frame = frame[frame["indicator_id"].isin(wanted)].rename(
        columns={"agency__kind": "agency_kind", "id": "figure_id", "period": "figure_period"}
    )
    for column in ("value", "numerator", "denominator"):
        frame[column] = pd.to_numeric(frame[column], errors="coerce").astype(float)
    frame["agency_id"] = frame["agency_id"].astype(float)
    flows = {i.pk for i in indicators if i.time_rollup == Indicator.TimeRollup.FLOW}
    ratios = {
        i.pk for i in indicators if i.pk in flows and i.value_type == Indicator.ValueType.RATIO
    }
    member = ["indicator_id", "unit_id", "_agency", "scope"]
    frame["_agency"] = frame["agency_id"].fillna(-1)
    out = {}
    for p in periods:
        inside = frame[(frame["period_start"] >= p.start) & (frame["period_end"] <= p.end)]
        is_flow = inside["indicator_id"].isin(flows)
        status = inside[~is_flow].sort_values(
            [*member, "period_end", "period_start"], ascending=[True] * 4 + [False, True]
        )
        status = status.drop_duplicates(member)
        flow = inside[is_flow]
        if not flow.empty:
            pairs = flow.merge(flow, on=member, suffixes=("", "_o"))
            beaten = pairs[
                (pairs["figure_id"] != pairs["figure_id_o"])
                & (pairs["period_start_o"] <= pairs["period_start"])
                & (pairs["period_end_o"] >= pairs["period_end"])
            ]["figure_id"]
            flow = analytics._flow_totals(
                flow[~flow["figure_id"].isin(beaten)].drop(
                    columns=["_agency", "period_start", "period_end"]
                ),
                ratios,
            )
        rows = pd.concat(
            [status.drop(columns=["_agency", "period_start", "period_end"]), flow],
            ignore_index=True,
        )
        out[p.id] = rows
    return out


def recompute(
    changed_units: list[int], indicator_ids: list[int], period, *, leaves: bool = True
) -> dict:
    """Recompute the nodes a change of these units' figures (of these indicators, in
    `period`) touches, in the prototype table, from stored rows, in one pass over levels
    and periods: the changed units and their
    ancestors are the tree (rollup.evaluate_tree walks it bottom-up, one call per scope,
    every indicator × period a slot), their other members come from the table already
    added up by the database, as rollup.evaluate_tree's leaf_stats; then the successors.
    Queries: the figures (one per period), the other members' sums (one), the write
    (COPY + INSERT … ON CONFLICT), the successors' (three).

    leaves=False: communes (and the 2025 communes formed from them) have no rows; a
    district's communes are added up from their figures by the database
    (analytics._leaf_stats, one query per period), as the engine does."""
    timings: dict[str, float] = {}
    started = time.perf_counter()
    periods = containing(period)
    shape = SHAPES.get(period.end)
    if shape is None:
        shape = SHAPES[period.end] = structure(period.end)
    chain_ids = set(changed_units)
    for _ in range(2):
        chain_ids |= set(shape.reindex(list(chain_ids))["parent_id"].dropna().astype(int))
    if not leaves:
        chain_ids -= set(shape.reindex(changed_units).query("n_children == 0").index)
    chain = shape.reindex(sorted(chain_ids)).reset_index(names="id")
    chain_set = set(chain["id"])
    parents = chain[chain["n_children"] > 0]["id"].tolist()
    tree = chain[["id", "parent_id", "level"]].copy()
    tree.loc[~tree["parent_id"].isin(chain_set), "parent_id"] = np.nan
    indicators = list(Indicator.objects.filter(pk__in=indicator_ids).order_by("pk"))
    # A slot per indicator × period.
    slot_of = {
        (i.pk, p.id): n for n, (i, p) in enumerate(((i, p) for p in periods for i in indicators), 1)
    }
    by_pk = {i.pk: i for i in indicators}
    rules = {slot: analytics._rule(by_pk[pk]) for (pk, _), slot in slot_of.items()}
    timings["structure"] = time.perf_counter() - started

    t = time.perf_counter()
    own_parts = []
    for p, rows in own_figures(list(chain_set), periods, indicators).items():
        rows["slot"] = [slot_of.get((i, p)) for i in rows["indicator_id"]]
        own_parts.append(rows)
    own = pd.concat(own_parts, ignore_index=True)
    own = own[own["slot"].notna()]
    timings["own figures"] = time.perf_counter() - t

    t = time.perf_counter()
    scope_pairs = [
        (parent_level, s, rollup.node_scope(child_level, s))
        for parent_level, child_level in (("district", "commune"), ("province", "district"))
        for s in STORED_SCOPES[parent_level]
    ]
    with connection.cursor() as cursor:
        cursor.execute(
            f"""
            SELECT a.parent_id, a.indicator_id, a.period, s.parent_scope, sum(m_n),
                   sum(m_counted), sum(m_num), sum(m_den), sum(m_value), sum(m_covered),
                   sum(m_expected), sum(m_expected_base)
            FROM {TABLE} a
            JOIN units_unit u ON u.id = a.parent_id
            JOIN unnest(%s::text[], %s::text[], %s::text[])
              s(parent_level, parent_scope, child_scope)
              ON a.scope = s.child_scope AND u.level = s.parent_level
            WHERE a.parent_id = ANY(%s) AND a.period = ANY(%s) AND a.indicator_id = ANY(%s)
              AND a.unit_id <> ALL(%s)
            GROUP BY 1, 2, 3, 4
            """,
            [[a for a, _, _ in scope_pairs], [b for _, b, _ in scope_pairs],
             [c for _, _, c in scope_pairs], parents, [p.id for p in periods],
             indicator_ids, list(chain_set)],
        )  # fmt: skip
        sums = pd.DataFrame(
            cursor.fetchall(),
            columns=["key", "indicator_id", "period", "scope", "n", "n_counted", "s_num",
                     "s_den", "s_value", "covered", "m_expected", "m_expected_base"],
        )  # fmt: skip
    timings["other members' sums"] = time.perf_counter() - t
    leaf_frames = []
    if not leaves:
        t = time.perf_counter()
        districts = chain[chain["level"] == "district"]["id"].tolist()
        communes = shape[shape["parent_id"].isin(districts) & (shape["level"] == "commune")]
        expected = communes.groupby("parent_id").size().astype(int).to_dict()
        several = any(i.time_rollup == Indicator.TimeRollup.FLOW for i in indicators)
        for p in periods:
            figures = Figure.objects.filter(
                status__in=APPROVED,
                unit_id__in=communes.index.tolist(),
                scope=rollup.SELF,
                agency__isnull=True,
            ).order_by()
            # The rule over time applied to every indicator (what the engine does when a
            # figure lies in a shorter period), so no "any shorter?" query.
            figures = analytics._in_period(figures, indicators, indicators, p, APPROVED)
            stats = analytics._leaf_stats(
                expected, figures, indicators, several_per_commune=several
            )
            leaf_frames.append(stats.assign(period=p.id))
        timings["communes' sums from figures"] = time.perf_counter() - t
    leaf_from_figures = pd.concat(leaf_frames, ignore_index=True) if leaf_frames else None

    t = time.perf_counter()
    results = []
    for scope in ("self", "communes", "districts"):
        # Every parent × indicator × period: its other members (under the scope the parent
        # is evaluated for in this pass), and the size of those without a row. The chain's
        # own children are in the tree: evaluate_tree adds them.
        every = pd.MultiIndex.from_product(
            [parents, indicator_ids, [p.id for p in periods]],
            names=["key", "indicator_id", "period"],
        ).to_frame(index=False)
        every["scope"] = [
            rollup.node_scope(lv, scope) for lv in shape.reindex(every["key"])["level"]
        ]
        numbers = ["n", "n_counted", "s_num", "s_den", "s_value", "covered", "m_expected",
                   "m_expected_base"]  # fmt: skip
        mine = every.merge(sums, on=["key", "indicator_id", "period", "scope"], how="left")
        mine[numbers] = mine[numbers].fillna(0).astype(float)
        base = base_expected(shape, mine["key"], mine["scope"])
        kids = chain[chain["parent_id"].isin(parents)]
        kid_scope = [rollup.node_scope(lv, scope) for lv in kids["level"]]
        kid_base = (
            pd.Series(
                np.where(
                    np.array(kid_scope) == "self", 1, base_expected(shape, kids["id"], kid_scope)
                ),
                index=kids.index,
            )
            .groupby(kids["parent_id"].to_numpy())
            .sum()
        )
        mine["expected"] = (
            base
            - mine["key"].map(kid_base).fillna(0).to_numpy()
            + mine["m_expected"]
            - mine["m_expected_base"]
        )
        if leaf_from_figures is not None:
            mine = pd.concat(
                [mine[~mine["key"].isin(leaf_from_figures["key"])], leaf_from_figures],
                ignore_index=True,
            )
        mine["slot"] = pd.MultiIndex.from_arrays([mine["indicator_id"], mine["period"]]).map(
            slot_of
        )
        leaf = mine[["key", *rollup.STATS_COLUMNS[1:], "slot"]].copy()
        leaf["key"] = rollup.in_slot(leaf["key"], leaf["slot"])
        leaf = leaf[rollup.STATS_COLUMNS]
        units = rollup.in_slots(
            tree[["id", "parent_id", "level"]], list(slot_of.values()), ("id", "parent_id")
        )
        figs = own.copy()
        # (An agency's figure keeps its agency id: rollup.evaluate_tree finds it by its unit.)
        figs["unit_id"] = rollup.in_slot(figs["unit_id"], figs["slot"])
        nodes = rollup.evaluate_tree(
            units, figs, scope=scope, rule=rollup.Rules(rules), leaf_stats=leaf
        )
        keys = nodes.index.to_numpy(dtype="int64")
        nodes = nodes.reset_index(drop=True)
        slots = keys // rollup.SLOT
        by_slot = {v: k for k, v in slot_of.items()}
        nodes["indicator_id"] = pd.Series(slots).map({k: v[0] for k, v in by_slot.items()})
        nodes["period"] = pd.Series(slots).map({k: v[1] for k, v in by_slot.items()})
        nodes["unit_id"] = keys % rollup.SLOT
        nodes["parent_id"] = nodes["unit_id"].map(shape["parent_id"])
        nodes["scope"] = nodes["node_scope"]
        level_of = nodes["unit_id"].map(shape["level"])
        keep = (
            (nodes["scope"] + "/" + level_of)
            .isin([f"{sc}/{lv}" for lv, scs in STORED_SCOPES.items() for sc in scs])
            .to_numpy()
        )
        keep = (
            keep & ~((scope != "self") & (nodes["scope"] == "self")).to_numpy()
        )  # in the self pass
        results.append(nodes[keep])
    nodes = pd.concat(results, ignore_index=True)
    timings["evaluate"] = time.perf_counter() - t

    t = time.perf_counter()
    rows = with_contribution(nodes[has_data(nodes)], shape)
    gone = nodes[~has_data(nodes)]
    timings["contributions"] = time.perf_counter() - t
    t = time.perf_counter()
    write_rows(rows, upsert=True)
    if not gone.empty:
        with connection.cursor() as cursor:
            cursor.execute(
                f"DELETE FROM {TABLE} t USING unnest(%s::int[], %s::int[], %s::text[], %s::text[])"
                " g(u, i, s, p) WHERE (t.unit_id, t.indicator_id, t.scope, t.period)"
                " = (g.u, g.i, g.s, g.p)",
                [gone["unit_id"].tolist(), gone["indicator_id"].tolist(),
                 gone["scope"].tolist(), gone["period"].tolist()],
            )  # fmt: skip
    timings["write"] = time.perf_counter() - t
    t = time.perf_counter()
    successor_rows = successors_write(periods, indicators, list(chain_set), shape)
    timings["successors"] = time.perf_counter() - t
    timings["total"] = time.perf_counter() - started
    return {
        "timings": timings,
        "counts": {"rows": len(rows), "deleted": len(gone), "successor rows": successor_rows},
    }


SHAPES: dict = {}


def engine_touched(unit: Unit, indicators, period) -> float:
    """The same nodes recomputed by the existing engine (cold): each of the unit, its
    district and province for every stored scope and containing period, then its 2025
    successors (commune and province), which the engine reads through their predecessors."""
    successors = list(
        Unit.objects.filter(
            changes_in__predecessor__in=[unit.pk, unit.province_id],
            level=F("changes_in__predecessor__level"),
        ).distinct()
    )
    chain = [unit, *Unit.objects.filter(pk__in=[unit.district_id, unit.province_id])]
    started = time.perf_counter()
    for p in containing(period):
        for top in chain:
            for scope in STORED_SCOPES[top.level]:
                analytics._rollup_indicators(indicators, [top], p, scope)
        for top in successors:
            for scope in STORED_SCOPES[top.level]:
                analytics._rollup_indicators(indicators, [top], p, scope)
    return time.perf_counter() - started


def compare_with_engine(unit: Unit, indicators, period, *, leaves: bool = True) -> dict:
    """The prototype's rows of the unit, its ancestors and its 2025 successors against the
    engine (cold): how many values were compared, and how many differ (value beyond 1e-9,
    origin, covered or expected)."""
    chain = [unit, *Unit.objects.filter(pk__in=[unit.district_id, unit.province_id])]
    successors = list(
        Unit.objects.filter(
            changes_in__predecessor__in=[unit.pk, unit.province_id],
            level=F("changes_in__predecessor__level"),
        ).distinct()
    )
    compared, differ, examples = 0, 0, []
    if not leaves:
        chain = [u for u in chain if u.level != "commune"]
        successors = [u for u in successors if u.level != "commune"]
    for p in containing(period):
        for top in chain + successors:
            for scope in STORED_SCOPES[top.level]:
                values = analytics._rollup_indicators(indicators, [top], p, scope)
                with connection.cursor() as cursor:
                    cursor.execute(
                        f"SELECT indicator_id, value, origin, covered, expected FROM {TABLE}"
                        " WHERE unit_id = %s AND period = %s AND scope = %s",
                        [top.pk, p.id, scope],
                    )
                    rows = {r[0]: r[1:] for r in cursor.fetchall()}
                for indicator in indicators:
                    v = values[indicator.code][0]
                    row = rows.get(indicator.pk)
                    if row is None:
                        mine = (None, rollup.NO_DATA, 0, None)
                    else:
                        value = None if row[0] is None else round(float(row[0]), 4)
                        mine = (value, row[1], row[2], row[3])
                    theirs = (
                        None if v.value is None else float(v.value),
                        v.origin,
                        v.covered,
                        v.expected if row else None,
                    )
                    same = mine[1:] == theirs[1:] and (
                        (mine[0] is None and theirs[0] is None)
                        or (mine[0] is not None and theirs[0] is not None
                            and abs(mine[0] - theirs[0]) < 1e-9)
                    )  # fmt: skip
                    compared += 1
                    if not same:
                        differ += 1
                        if len(examples) < 5:
                            examples.append((top.code, p.id, scope, indicator.code, mine, theirs))
    return {"compared": compared, "differ": differ, "examples": examples}


class Rollback(Exception):
    pass


def drop_leaves() -> int:
    """The variant without leaf rows: the communes' rows (and the 2025 communes') go."""
    with connection.cursor() as cursor:
        cursor.execute(
            f"DELETE FROM {TABLE} a USING units_unit u WHERE u.id = a.unit_id"
            " AND u.level = 'commune'"
        )
        return cursor.rowcount


def approval(period, *, leaves: bool = True) -> dict:
    """One commune's report of `period` approved: every figure of the commune with the most
    figures that period becomes approved, and every indicator of the report is recomputed
    (as the write path would for a report of 49 figures)."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT f.unit_id, count(*) FROM indicators_figure f"
            " JOIN units_unit u ON u.id = f.unit_id"
            " WHERE f.period = %s AND u.level = 'commune' AND u.valid_to IS NOT NULL"
            " GROUP BY f.unit_id ORDER BY count(*) DESC, f.unit_id LIMIT 1",
            [period.id],
        )
        commune_id, _n = cursor.fetchone()
    unit = Unit.objects.get(pk=commune_id)
    indicators = [i for i in Indicator.objects.order_by("position") if ",commune," in i.levels]
    out = {"unit": unit.code, "figures": None}
    try:
        with transaction.atomic():
            # The report's figures as a reviewer approves them: all of them, now approved.
            changed = Figure.objects.filter(unit=unit, period=period.id).exclude(status="approved")
            out["figures_changed"] = changed.update(status="approved")
            out["figures"] = Figure.objects.filter(unit=unit, period=period.id).count()
            if not leaves:
                drop_leaves()
            ids = [i.pk for i in indicators]
            out["prototype"] = recompute([unit.pk], ids, period, leaves=leaves)
            if leaves:
                out["engine"] = engine_touched(unit, indicators, period)
            out["comparison"] = compare_with_engine(unit, indicators, period, leaves=leaves)
            # Timed again (a second approval in the same province), then ten more.
            out["prototype_again"] = recompute([unit.pk], ids, period, leaves=leaves)
            times = []
            for _ in range(10):
                started = time.perf_counter()
                recompute([unit.pk], ids, period, leaves=leaves)
                times.append(time.perf_counter() - started)
            out["repeated"] = sorted(times)
            raise Rollback
    except Rollback:
        pass
    return out


def bulk(period, communes: int, *, leaves: bool = True) -> dict:
    """An import of `communes` communes' figures of `period` (all indicators): the nodes it
    touches recomputed in the prototype, set-based."""
    with connection.cursor() as cursor:
        # In code order, as benchmarks/run.py's import: whole districts, a few provinces.
        cursor.execute(
            "SELECT f.unit_id FROM indicators_figure f JOIN units_unit u ON u.id = f.unit_id"
            " WHERE f.period = %s AND u.level = 'commune' AND f.status = 'approved'"
            " GROUP BY f.unit_id, u.code ORDER BY u.code LIMIT %s",
            [period.id, communes],
        )
        ids = [r[0] for r in cursor.fetchall()]
    figures = Figure.objects.filter(unit_id__in=ids, period=period.id, status="approved").count()
    indicators = [i.pk for i in Indicator.objects.all()]
    shape = structure(period.end).reindex(ids)
    out = {
        "communes": len(ids),
        "figures": figures,
        "districts": shape["parent_id"].nunique(),
        "peak_mb_before": peak_mb(),
    }
    try:
        with transaction.atomic():
            if not leaves:
                drop_leaves()
            out["prototype"] = recompute(ids, indicators, period, leaves=leaves)
            out["peak_mb"] = peak_mb()
            raise Rollback
    except Rollback:
        pass
    return out


# --- 7. Reads from the table --------------------------------------------------------------


def reads(indicator, period) -> dict:
    provinces = list(
        Unit.objects.in_force(period.end).filter(level="province").values_list("id", flat=True)
    )

    def national():
        with connection.cursor() as cursor:
            cursor.execute(
                f"SELECT unit_id, value, numerator, denominator, origin, covered, expected"
                f" FROM {TABLE} WHERE unit_id = ANY(%s) AND indicator_id = %s AND scope = 'self'"
                " AND period = %s",
                [provinces, indicator.pk, period.id],
            )
            cursor.fetchall()

    province = provinces[0]
    children = list(Unit.objects.filter(parent_id=province).values_list("id", flat=True))
    ids = [i.pk for i in Indicator.objects.all()]

    def ranking():
        with connection.cursor() as cursor:
            cursor.execute(
                f"SELECT unit_id, indicator_id, value FROM {TABLE} WHERE unit_id = ANY(%s)"
                " AND indicator_id = ANY(%s) AND scope = 'self' AND period = ANY(%s)",
                [children, ids, [period.id, "2024Q2"]],
            )
            cursor.fetchall()

    out = {}
    out["national_by_province"], _ = timed(national, 20)
    out["ranking_children_all_indicators_two_periods"], _ = timed(ranking, 20)
    for k, v in out.items():
        print(f"  {k}: {ms(v)}")
    return out


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--period", default="2024Q3")
    parser.add_argument("--indicator", default="INF_LAN")
    # 450 communes with figures at --scale 0.25 span the districts that the benchmark's
    # 100,000-row import (2,000 communes in code order) spans at full scale.
    parser.add_argument("--bulk-communes", type=int, default=450)
    parser.add_argument(
        "--sections",
        default="dataset,full,count,touched,build,approval,bulk,reads",
        help="comma-separated: dataset, full, count, touched, build, approval, bulk, reads",
    )
    parser.add_argument(
        "--count-periods",
        default="",
        help="comma-separated period ids to count (default: every period with figures)",
    )
    parser.add_argument("--keep", action="store_true", help="keep the prototype table")
    parser.add_argument(
        "--with-leaves",
        action="store_true",
        help="the rejected variant: rows for communes and the 2025 communes too",
    )
    args = parser.parse_args()
    sections = set(args.sections.split(","))
    period = parse_period(args.period)
    indicator = Indicator.objects.get(code=args.indicator)
    results = {}
    if "dataset" in sections:
        print("1. data set")
        results["dataset"] = dataset(period)
    if "full" in sections:
        print(f"2. full recompute of {indicator.code} × {period.id}")
        results["full"] = full_recompute(indicator, period)
    if "count" in sections:
        print("3. rows with data")
        ids = sorted(
            set(
                Figure.objects.filter(source="synthetic")
                .values_list("period", flat=True)
                .distinct()
            )
        )
        quarters = [parse_period(p) for p in ids]
        longer = sorted({q for p in quarters for q in containing(p)[1:]})
        if args.count_periods:
            wanted = set(args.count_periods.split(","))
            quarters = [p for p in quarters if p.id in wanted]
            longer = [p for p in longer if p.id in wanted]
        started = time.perf_counter()
        counts = count_rows(quarters + longer)
        results["count_seconds"] = time.perf_counter() - started
        pivot = counts.pivot_table(
            index=["kind", "level", "scope"], values="rows", aggfunc=["sum", "count"]
        )
        print(pivot.to_string())
        print(f"  evaluated in {results['count_seconds']:.0f} s")
        results["counts"] = counts
    if "touched" in sections:
        print("4. nodes one figure touches")
        results["touched"] = touched_report(period)
    if "build" in sections:
        print(f"5. prototype table for {period.id} and the periods containing it")
        results["build"] = build(containing(period), list(Indicator.objects.order_by("position")))
    if "approval" in sections:
        print("6a. one commune's report approved")
        out = approval(period, leaves=args.with_leaves)
        results["approval"] = out
        print(f"  {out['unit']}: {out['figures_changed']} figures approved of {out['figures']}")
        for name in ("prototype", "prototype_again"):
            t = out[name]["timings"]
            print(f"  {name}: total {ms(t['total'])}; rows {sum(out[name]['counts'].values()):,}")
            for k, v in t.items():
                if k != "total":
                    print(f"    {k}: {ms(v)}")
        if "engine" in out:
            print(f"  engine, the same nodes (cold): {ms(out['engine'])}")
        times = out["repeated"]
        print(f"  ten more: median {ms(statistics.median(times))}, max {ms(times[-1])}")
        print(f"  against the engine: {out['comparison']}")
    if "bulk" in sections:
        print(f"6b. an import of {args.bulk_communes} communes' quarter")
        out = bulk(period, args.bulk_communes, leaves=args.with_leaves)
        results["bulk"] = out
        t = out["prototype"]["timings"]
        c = out["prototype"]["counts"]
        print(
            f"  {out['communes']} communes ({out['districts']} districts), {out['figures']:,}"
            f" figures: total {ms(t['total'])},"
            f" peak memory {out['peak_mb']} MB (before: {out['peak_mb_before']} MB)"
        )
        for k, v in t.items():
            print(f"    {k}: {ms(v)}")
        for k, v in c.items():
            print(f"    {k}: {v:,}")
    if "reads" in sections:
        print("7. reads from the table")
        results["reads"] = reads(indicator, period)
    if not args.keep:
        with connection.cursor() as cursor:
            cursor.execute(f"DROP TABLE IF EXISTS {TABLE}")


if __name__ == "__main__":
    main()
