from django.core.management.base import BaseCommand, CommandError

from indicators.models import Indicator
from quality import min_max


class Command(BaseCommand):
    help = (
        "Tính khoảng giá trị hợp lý (min-max) của từng đơn vị cho từng chỉ tiêu từ số liệu đã "
        "duyệt, và mức thay đổi hợp lý giữa hai quý (docs/decisions/0024)."
    )

    def add_arguments(self, parser):
        parser.add_argument("--indicator", action="append", help="mã chỉ tiêu (lặp lại được)")

    def handle(self, *args, **options):
        indicators = None
        if options["indicator"]:
            codes = options["indicator"]
            indicators = list(
                Indicator.objects.filter(code__in=codes).exclude(
                    value_type=Indicator.ValueType.BOOLEAN
                )
            )
            unknown = set(codes) - {i.code for i in indicators}
            if unknown:
                raise CommandError(
                    f"Không có chỉ tiêu (hoặc là chỉ tiêu có/không): {', '.join(sorted(unknown))}"
                )
        written = min_max.generate(indicators, out=self.stdout.write)
        self.stdout.write(self.style.SUCCESS(f"Đã tính {written:,} khoảng hợp lý."))
