"""Remind officials of their reports due soon, as the daily task does (for cron)."""

import datetime

from django.core.management.base import BaseCommand, CommandError

from entry.reminders import deadline_reminders_send
from units.selectors import today


class Command(BaseCommand):
    help = "Nhắc cán bộ nhập liệu các báo cáo sắp đến hạn mà chưa gửi (mỗi người một lần)."

    def add_arguments(self, parser):
        parser.add_argument("--today", help="ngày chạy, YYYY-MM-DD (mặc định: hôm nay)")
        parser.add_argument("--days", type=int, help="số ngày trước hạn (NOTIFY_DUE_SOON_DAYS)")

    def handle(self, *args, **options):
        try:
            day = datetime.date.fromisoformat(options["today"]) if options["today"] else today()
        except ValueError:
            wrong = options["today"]
            raise CommandError(f"--today: {wrong!r} is not a date (YYYY-MM-DD).") from None
        created = deadline_reminders_send(today=day, days=options["days"])
        self.stdout.write(f"{created} new reminder(s) on {day}.")
