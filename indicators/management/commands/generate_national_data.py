"""Generates the national data set for benchmarks (see indicators/synthetic.py)."""

import time

from django.core.management.base import BaseCommand, CommandError

from egov_portal import planner
from indicators import aggregates, synthetic
from indicators.models import Aggregate
from indicators.periods import PeriodError, containing
from units.models import Unit


class Command(BaseCommand):
    help = (
        "Sinh số liệu giả lập cho mọi xã, huyện, tỉnh và mọi chỉ tiêu áp dụng, từng quý, "
        "để đo hiệu năng ở quy mô cả nước."
    )

    def add_arguments(self, parser):
        parser.add_argument("--structure", choices=["2024", "2025", "both"], default="2024")
        parser.add_argument("--periods", default="2019Q1:2025Q2", help="Ví dụ 2019Q1:2025Q2.")
        parser.add_argument("--seed", type=int, default=1)
        parser.add_argument(
            "--scale", type=float, default=1.0, help="Phần các xã được sinh (0–1; mặc định 1)."
        )
        parser.add_argument(
            "--provinces", default="", help="Chỉ các tỉnh này (mã GSO, cách nhau bởi dấu phẩy)."
        )
        parser.add_argument(
            "--clear", action="store_true", help="Xóa số liệu giả lập cũ trước khi sinh."
        )

    def handle(self, *args, structure, periods, seed, scale, provinces, clear, **options):
        if not 0 < scale <= 1:
            raise CommandError("--scale phải trong khoảng (0, 1].")
        try:
            span = synthetic.parse_span(periods)
        except PeriodError as exc:
            raise CommandError(f"--periods: {exc}") from exc
        if clear:
            self.stdout.write(f"Đã xóa {synthetic.clear():,} số liệu giả lập cũ.")
        started = time.perf_counter()
        total = 0
        generated: list[str] = []
        for period, count in synthetic.generate(
            periods=span,
            structure=structure,
            seed=seed,
            scale=scale,
            provinces=[c.strip() for c in provinces.split(",") if c.strip()] or None,
        ):
            total += count
            generated.append(period.id)
            self.stdout.write(f"{period.id}: {count:,} số liệu")
        elapsed = time.perf_counter() - started
        rate = total / elapsed if elapsed else 0
        self.stdout.write(
            self.style.SUCCESS(f"Đã sinh {total:,} số liệu trong {elapsed:.1f} s ({rate:,.0f}/s).")
        )
        # The generator writes by COPY, past the write path: the aggregates of every period
        # it wrote (or cleared) are built here, as build_aggregates would — after the planner
        # has statistics of what was written and of the units (autovacuum may not have run
        # yet, or at all: without them a year's figures are read by scanning every period's,
        # and a national year by nested loops over 7 communes assumed).
        planner.analyse()
        started = time.perf_counter()
        periods = set()
        if clear:  # the figures cleared were of any period
            periods.update(Aggregate.objects.values_list("period", flat=True).distinct())
        for period in generated:
            periods.update(containing(period))
        codes = [c.strip() for c in provinces.split(",") if c.strip()]
        unit_ids = None  # every unit: a clear deletes the generated figures of the country
        if codes and not clear:
            unit_ids = list(
                Unit.objects.filter(code__in=codes, level=Unit.Level.PROVINCE).values_list(
                    "pk", flat=True
                )
            )
        rows = aggregates.build(periods=periods, unit_ids=unit_ids)
        self.stdout.write(f"Tổng hợp: {rows:,} dòng trong {time.perf_counter() - started:.1f} s.")
