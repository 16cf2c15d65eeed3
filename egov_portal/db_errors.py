"""What a database error means for the person who caused it."""

from django.db import OperationalError
from django.utils.translation import gettext_lazy
from psycopg2 import errors

# PostgreSQL's words for two writers that met on the same rows: a deadlock, a serialisation
# failure, a lock not had in time. None of them changed anything: the transaction was
# rolled back whole, and the same request sent again will go through.
_CLASHES = (errors.DeadlockDetected, errors.SerializationFailure, errors.LockNotAvailable)

WRITE_CLASH = gettext_lazy(
    "Cùng lúc có người khác đang lưu các số liệu này; chưa có gì được lưu. Hãy mở lại trang "
    "và lưu lại (hoặc gửi lại yêu cầu)."
)


def is_write_clash(exc: BaseException) -> bool:
    """Whether a database error is two writers meeting on the same rows."""
    return isinstance(exc, OperationalError) and isinstance(exc.__cause__, _CLASHES)
