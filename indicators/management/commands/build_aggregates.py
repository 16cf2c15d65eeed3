"""Builds the live aggregates from the approved figures (after a load that bypassed the
write path, or to start afresh)."""

import time

from django.core.management.base import BaseCommand, CommandError

from indicators import aggregates
from indicators.models import Indicator
from indicators.periods import PeriodError, parse_period


class Command(BaseCommand):
    help = (
        "Tính bảng tổng hợp (indicators.Aggregate) cho mọi huyện, tỉnh và kỳ có số liệu đã "
        "duyệt, từng kỳ một giao dịch."
    )

    def add_arguments(self, parser):
        parser.add_argument("--period", action="append", default=[], help="Kỳ, ví dụ 2024Q3.")
        parser.add_argument("--indicator", action="append", default=[], help="Mã chỉ tiêu.")

    def handle(self, *args, period, indicator, **options):
        periods = None
        if period:
            try:
                periods = {parse_period(p).id for p in period}
            except PeriodError as exc:
                raise CommandError(f"--period: {exc}") from exc
        indicator_ids = None
        if indicator:
            found = dict(Indicator.objects.filter(code__in=indicator).values_list("code", "pk"))
            unknown = set(indicator) - set(found)
            if unknown:
                raise CommandError(f"Không có chỉ tiêu mã {', '.join(sorted(unknown))}.")
            indicator_ids = list(found.values())
        started = time.perf_counter()
        rows = aggregates.build(periods=periods, indicator_ids=indicator_ids, out=self.stdout.write)
        elapsed = time.perf_counter() - started
        self.stdout.write(self.style.SUCCESS(f"Đã tính {rows:,} dòng trong {elapsed:.1f} s."))
