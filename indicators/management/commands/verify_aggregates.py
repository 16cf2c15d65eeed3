"""Recomputes the live aggregates from the figures and prints every difference."""

from django.core.management.base import BaseCommand, CommandError

from indicators import aggregates
from indicators.management.aggregate_options import (
    add_period_and_indicator,
    indicators_named,
    periods_named,
)
from units.models import Unit


class Command(BaseCommand):
    help = (
        "Tính lại bảng tổng hợp (indicators.Aggregate) từ số liệu đã duyệt và in mọi chỗ khác "
        "nhau; mã thoát 1 nếu có."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--unit",
            action="append",
            default=[],
            help="Mã đơn vị (lặp lại được): đơn vị, các đơn vị dưới, trên và kế thừa nó.",
        )
        add_period_and_indicator(parser)

    def handle(self, *args, unit, period, indicator, **options):
        unit_ids = None
        if unit:
            found = list(Unit.objects.filter(code__in=unit).values_list("pk", "code"))
            unknown = set(unit) - {code for _, code in found}
            if unknown:
                raise CommandError(f"Không có đơn vị mã {', '.join(sorted(unknown))}.")
            unit_ids = [pk for pk, _ in found]
        lines = aggregates.differences(
            unit_ids=unit_ids,
            periods=periods_named(period),
            indicator_ids=indicators_named(indicator),
        )
        for line in lines:
            self.stdout.write(line)
        if lines:
            self.stderr.write(f"{len(lines)} chỗ khác nhau giữa bảng tổng hợp và số liệu.")
            raise SystemExit(1)
        self.stdout.write(self.style.SUCCESS("Bảng tổng hợp khớp với số liệu."))
