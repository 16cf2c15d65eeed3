"""The demo's quarterly reports of Thị trấn Hồ Xá (DEBUG only, after create_demo_users)."""

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from entry.demo_reports import demo_reports_create


class Command(BaseCommand):
    help = (
        "Tạo báo cáo mẫu của Thị trấn Hồ Xá (2024 đã duyệt, 2025Q1 chờ duyệt có vi phạm quy tắc, "
        "số liệu bất thường, cần theo dõi và thiếu minh chứng). Chỉ khi DEBUG bật."
    )

    def handle(self, *args, **options):
        if not settings.DEBUG:
            raise CommandError("Chỉ tạo dữ liệu mẫu khi DEBUG bật.")
        for line in demo_reports_create():
            self.stdout.write(line)
