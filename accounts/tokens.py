"""Personal access tokens, as DHIS2 has them (`Authorization: ApiToken d2pat_…`): made for a
user, kept only as a hash, refused once expired or deleted."""

import datetime
import hashlib
import secrets
import string
import zlib

from django.core.exceptions import PermissionDenied
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts import policy
from accounts.models import PersonalAccessToken

PREFIX = "d2pat_"  # DHIS2's own prefix: clients that check it accept ours
RANDOM_CHARS = 32
ALPHABET = string.ascii_letters + string.digits


def token_new() -> str:
    """A token shaped as DHIS2's (developer/web-api/overview.md, "Personal Access Tokens"):
    the prefix, 32 random characters, and their CRC32 checksum padded to ten digits —
    `d2pat_5xVA12xyUbWNedQxy4ohH77WlxRGVvZZ1151814092`, 48 characters."""
    random_part = "".join(secrets.choice(ALPHABET) for _ in range(RANDOM_CHARS))
    return f"{PREFIX}{random_part}{zlib.crc32(random_part.encode()):010d}"


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def token_create(
    user, *, name: str = "", expires_on: datetime.date | None = None
) -> tuple[PersonalAccessToken, str]:
    """A new token for `user`: the stored record and the token itself (shown once)."""
    record = PersonalAccessToken(user=user, name=name, expires_on=expires_on)
    return record, token_issue(record)


def token_issue(record: PersonalAccessToken) -> str:
    """Gives an unsaved record a new token and saves it; the token is returned, to be shown
    once (only its hash is kept)."""
    token = token_new()
    record.key_hash, record.prefix = _hash(token), token[:12]
    record.save()
    return token


def token_revoke(*, user, record: PersonalAccessToken) -> None:
    """Deletes a token: refused (PermissionDenied) unless `user` may (accounts.policy)."""
    if not policy.can_revoke_access_token(user, record):
        raise PermissionDenied(_("Bạn không được thu hồi mã truy cập này."))
    record.delete()


def token_user(token: str):
    """The active user a token stands for, or None (unknown, expired, inactive user)."""
    record = (
        PersonalAccessToken.objects.select_related("user").filter(key_hash=_hash(token)).first()
    )
    if record is None or not record.user.is_active:
        return None
    today = timezone.localdate()
    if record.expires_on is not None and record.expires_on < today:
        return None
    now = timezone.now()
    if record.last_used_at is None or now - record.last_used_at > datetime.timedelta(minutes=5):
        # At most one write every five minutes per token, not one per request.
        PersonalAccessToken.objects.filter(pk=record.pk).update(last_used_at=now)
    return record.user
