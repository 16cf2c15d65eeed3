"""Builds the live aggregates from the approved figures (after a load that bypassed the
write path, or to start afresh)."""

import time

from django.core.management.base import BaseCommand

from indicators import aggregates
from indicators.management.aggregate_options import (
    add_period_and_indicator,
    indicators_named,
    periods_named,
)


class Command(BaseCommand):
    help = (
        "Tính bảng tổng hợp (indicators.Aggregate) cho mọi huyện, tỉnh và kỳ có số liệu đã "
        "duyệt, từng kỳ một giao dịch."
    )

    def add_arguments(self, parser):
        add_period_and_indicator(parser)

    def handle(self, *args, period, indicator, **options):
        started = time.perf_counter()
        rows = aggregates.build(
            periods=periods_named(period),
            indicator_ids=indicators_named(indicator),
            out=self.stdout.write,
        )
        elapsed = time.perf_counter() - started
        self.stdout.write(self.style.SUCCESS(f"Đã tính {rows:,} dòng trong {elapsed:.1f} s."))
