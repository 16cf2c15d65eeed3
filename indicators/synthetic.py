"""A realistic national data set for benchmarks and demonstrations: plausible, deterministic
figures for every commune, district and province (or a fraction of them), every applicable
indicator, every quarter of a span.

Each unit gets a readiness level drawn once (better in cities, as in the ICT Index), which
rises quarter by quarter with noise; some units do not report some quarters; most figures
are approved. Values are built with numpy per period and written with COPY on PostgreSQL
(the ORM in batches elsewhere), a period at a time, so memory stays flat whatever the span.
Generated figures carry the source SOURCE and no history (they were never entered).
"""

import csv
import io
from collections.abc import Iterator
from dataclasses import dataclass

import numpy as np
import pandas as pd
from django.db import connection, transaction
from django.db.models import Q
from django.utils import timezone

from indicators.models import Figure, Indicator
from indicators.periods import Period, parse_period, periods_between
from indicators.validation import indicator_valid_in
from units.models import REORGANISATION_2025_ON, Unit

SOURCE = "synthetic"
REPORTING_RATE = 0.9  # a unit reports a given quarter nine times out of ten
STATUS_WEIGHTS = {"approved": 0.85, "submitted": 0.08, "draft": 0.05, "returned": 0.02}
QUARTERLY_GAIN = 0.012  # readiness gained a quarter, on average (0–1 scale)
URBAN_TYPES = {"phuong", "thanh_pho", "quan", "thi_xa", "thi_tran", "thanh_pho_trung_uong"}
COLUMNS = [
    "unit_id",
    "indicator_id",
    "period",
    "period_start",
    "period_end",
    "scope",
    "numerator",
    "denominator",
    "value",
    "is_approximate",
    "status",
    "source",
    "note",
    "entered_at",
    "updated_at",
]


@dataclass
class GenerationSummary:
    periods: int = 0
    units: int = 0
    figures: int = 0


def parse_span(text: str) -> list[Period]:
    """ "2019Q1:2025Q2" → every quarter from the first to the last."""
    first, _, last = text.partition(":")
    return periods_between(parse_period(first), parse_period(last or first))


def generate(
    *,
    periods: list[Period],
    structure: str = "2024",
    seed: int = 1,
    scale: float = 1.0,
    provinces: list[str] | None = None,
) -> Iterator[tuple[Period, int]]:
    """Writes the figures period by period; yields (period, figures written) as it goes.

    structure: "2024" (until 30/06/2025), "2025" (from 01/07/2025) or "both" (each period
    with the structure in force at its end). provinces: GSO codes to limit it to (and their
    units); scale: the fraction of communes.
    """
    rng = np.random.default_rng(seed)
    indicators = list(Indicator.objects.order_by("position"))
    readiness: dict[int, float] = {}
    for period in periods:
        units = _units(period, structure, scale, seed, provinces)
        if units.empty:
            continue
        missing = units.loc[~units["id"].isin(readiness)]
        if not missing.empty:
            urban = missing["division_type"].isin(URBAN_TYPES).to_numpy()
            drawn = rng.beta(2.0, 3.0, len(missing)) * 0.6 + np.where(urban, 0.25, 0.05)
            readiness.update(zip(missing["id"].tolist(), drawn.tolist(), strict=True))
        frame = _period_frame(units, indicators, period, readiness, rng)
        _write(frame)
        yield period, len(frame)
        # Everyone gains a little each quarter, some more than others.
        for unit_id in units["id"].tolist():
            readiness[unit_id] = min(1.0, readiness[unit_id] + rng.normal(QUARTERLY_GAIN, 0.01))


def clear() -> int:
    """Deletes every generated figure; returns how many. One DELETE: the ORM's would load
    every row (millions) to send its signals, and write a history record for each of these
    figures that have none."""
    with connection.cursor() as cursor:
        cursor.execute(f"DELETE FROM {Figure._meta.db_table} WHERE source = %s", [SOURCE])  # noqa: S608
        count = cursor.rowcount
    return count


def _units(
    period: Period, structure: str, scale: float, seed: int, provinces: list[str] | None
) -> pd.DataFrame:
    new = period.end >= REORGANISATION_2025_ON
    if (structure == "2024" and new) or (structure == "2025" and not new):
        return pd.DataFrame(columns=["id", "level", "division_type"])
    in_force = Unit.objects.in_force(period.end)
    if provinces:
        in_force = in_force.filter(
            Q(level="province", code__in=provinces) | Q(province__code__in=provinces)
        )
    units = pd.DataFrame.from_records(
        in_force.values_list("id", "level", "division_type", "code"),
        columns=["id", "level", "division_type", "code"],
    )
    if scale < 1.0:
        # The same communes whatever the period: chosen by a hash of code and seed.
        communes = units["level"] == "commune"
        keep = (pd.util.hash_array(units["code"].to_numpy(dtype=str)) + seed) % 10_000
        units = units[~communes | (keep < scale * 10_000)]
    return units.drop(columns="code").reset_index(drop=True)


def _period_frame(units, indicators, period: Period, readiness, rng) -> pd.DataFrame:
    parts = []
    for level, group in units.groupby("level"):
        applicable = [
            i for i in indicators if f",{level}," in i.levels and indicator_valid_in(i, period)
        ]
        if not applicable:
            continue
        ids = group["id"].to_numpy()
        base = np.array([readiness[i] for i in ids])
        reports = rng.random(len(ids)) < REPORTING_RATE
        ids, base = ids[reports], base[reports]
        for indicator in applicable:
            level_of = np.clip(base + rng.normal(0, 0.08, len(ids)), 0.0, 1.0)
            parts.append(_values(indicator, ids, level_of, level, rng))
    if not parts:
        return pd.DataFrame(columns=COLUMNS)
    frame = pd.concat(parts, ignore_index=True)
    frame["period"] = period.id
    frame["period_start"] = period.start
    frame["period_end"] = period.end
    frame["scope"] = "self"
    statuses = list(STATUS_WEIGHTS)
    frame["status"] = rng.choice(statuses, len(frame), p=list(STATUS_WEIGHTS.values()))
    frame["source"] = SOURCE
    frame["note"] = ""
    frame["is_approximate"] = False
    now = timezone.now()
    frame["entered_at"] = now
    frame["updated_at"] = now
    return frame[COLUMNS]


def _values(indicator, ids, level_of, level: str, rng) -> pd.DataFrame:
    n = len(ids)
    numerator = denominator = np.full(n, np.nan)
    if indicator.value_type == Indicator.ValueType.RATIO:
        size = {"commune": 25, "district": 120, "province": 900}[level]
        denominator = rng.integers(size // 2, size * 2, n).astype(float)
        numerator = np.minimum(denominator, np.round(denominator * level_of))
        value = np.round(100 * numerator / denominator, 4)
    elif indicator.value_type == Indicator.ValueType.BOOLEAN:
        value = (rng.random(n) < level_of).astype(float)
    elif indicator.value_type == Indicator.ValueType.COUNT:
        value = rng.poisson(1 + 10 * level_of).astype(float)
        if indicator.direction == Indicator.Direction.LOWER:
            value = rng.poisson(3 * (1 - level_of)).astype(float)
    else:  # amounts in dong: hundreds of millions at a commune
        value = np.round(rng.lognormal(19 + 2 * level_of, 0.5)).astype(float)
    return pd.DataFrame(
        {
            "unit_id": ids,
            "indicator_id": indicator.pk,
            "numerator": numerator,
            "denominator": denominator,
            "value": value,
        }
    )


def _write(frame: pd.DataFrame) -> None:
    if frame.empty:
        return
    # Leave alone any unit's own figure already there (the seeds', or an earlier run's).
    taken = pd.DataFrame.from_records(
        Figure.objects.filter(
            period=frame["period"].iloc[0], scope="self", agency__isnull=True
        ).values_list("unit_id", "indicator_id"),
        columns=["unit_id", "indicator_id"],
    )
    if not taken.empty:
        marked = frame.merge(taken.assign(_taken=True), how="left", on=["unit_id", "indicator_id"])
        frame = frame[marked["_taken"].isna().to_numpy()]
    with transaction.atomic():
        if connection.vendor == "postgresql":
            buffer = io.StringIO()
            frame.to_csv(buffer, index=False, header=False, na_rep="\\N", quoting=csv.QUOTE_MINIMAL)
            buffer.seek(0)
            with connection.cursor() as cursor:
                cursor.cursor.copy_expert(
                    f"COPY {Figure._meta.db_table} ({', '.join(COLUMNS)}) "
                    "FROM STDIN WITH (FORMAT csv, NULL '\\N')",
                    buffer,
                )
        else:
            records = frame.replace({np.nan: None}).to_dict("records")
            Figure.objects.bulk_create((Figure(**r) for r in records), batch_size=5000)
