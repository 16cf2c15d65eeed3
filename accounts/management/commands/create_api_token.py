"""Makes a personal access token for a user and prints it (once: only its hash is kept)."""

import datetime

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError

from accounts.tokens import token_create


class Command(BaseCommand):
    help = "Tạo mã truy cập cá nhân (Authorization: ApiToken …) cho một người dùng."

    def add_arguments(self, parser):
        parser.add_argument("username")
        parser.add_argument("--name", default="", help="Tên gợi nhớ của mã.")
        parser.add_argument("--days", type=int, default=None, help="Hết hạn sau bao nhiêu ngày.")

    def handle(self, *args, username, name, days, **options):
        user = get_user_model().objects.filter(username=username, is_active=True).first()
        if user is None:
            raise CommandError(f"Không có người dùng «{username}» đang hoạt động.")
        if days is not None and days < 1:
            raise CommandError("--days phải từ 1 trở lên.")
        expires = datetime.date.today() + datetime.timedelta(days=days) if days else None
        _record, token = token_create(user, name=name, expires_on=expires)
        self.stdout.write(token)
