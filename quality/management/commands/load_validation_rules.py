from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from quality.services import RULES_FILE, validation_rules_load


class Command(BaseCommand):
    help = "Nạp bộ quy tắc kiểm tra ban đầu (fixtures/quality/validation_rules.csv)."

    def handle(self, *args, **options):
        try:
            n = validation_rules_load()
        except ValidationError as exc:
            raise CommandError(" ".join(exc.messages)) from exc
        self.stdout.write(self.style.SUCCESS(f"Đã nạp {n} quy tắc kiểm tra từ {RULES_FILE.name}."))
