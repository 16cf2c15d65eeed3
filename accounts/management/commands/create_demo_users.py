"""Creates the demo accounts (refused when DEBUG is off: they have a published password)."""

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from accounts.demo import DEMO_PASSWORD, DEMO_USERS
from accounts.services import demo_users_create


class Command(BaseCommand):
    help = "Tạo các tài khoản dùng thử (chỉ khi DEBUG bật)."

    def handle(self, *args, **options):
        if not settings.DEBUG:
            raise CommandError(
                "Không tạo tài khoản dùng thử khi DEBUG tắt: mật khẩu của chúng được công bố."
            )
        demo_users_create()
        self.stdout.write(f"Tài khoản dùng thử (mật khẩu: {DEMO_PASSWORD}):")
        for demo in DEMO_USERS:
            self.stdout.write(f"  {demo.username:<22} {demo.full_name}")
