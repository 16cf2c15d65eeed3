"""An uploaded file, checked before anything reads it: within the size limit
(IMPORT_MAX_BYTES, also as the request declares it), and of a kind told by its content alone —
a ZIP holding xl/workbook.xml is XLSX, text without NUL bytes is CSV; PDF, .xls, UTF-16 text
and other binaries are refused with a message saying what to do. Every import uses it: the
figures' (indicators.importing), the units' and the admin's (units.resources).
Knows no app (docs/decisions/0014-layers.md).
"""

import io
import zipfile

from django.conf import settings
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from egov_portal.spreadsheets import BROKEN_XLSX, ImportFileError

XLSX_MAGIC = b"PK\x03\x04"
XLS_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # Office 97–2003 (OLE2): .xls, .doc
PDF_MAGIC = b"%PDF-"
UTF16_BOMS = (b"\xff\xfe", b"\xfe\xff")
# An XLSX may unpack to this many times the upload limit, no more: what a "ZIP bomb" of a few
# megabytes holds is refused before even the scan of spreadsheets.py reads it through.
XLSX_MAX_EXPANSION = 10

NOT_XLSX_ZIP = gettext_lazy(
    "Tệp nén ZIP nhưng không phải bảng tính XLSX (có thể là tệp .docx hay .ods): "
    "mở bằng Excel và lưu dưới dạng .xlsx."
)
XLSX_TOO_BIG_UNPACKED = gettext_lazy(
    "Tệp XLSX khi giải nén quá lớn (%(size)s MB, tối đa %(limit)s MB)."
)
OLD_EXCEL = gettext_lazy(
    "Tệp Excel 97–2003 (.xls) không được hỗ trợ: mở bằng Excel và lưu dưới dạng .xlsx."
)
PDF_FILE = gettext_lazy("Tệp PDF không phải tệp số liệu: cần tệp XLSX hoặc CSV.")
UTF16_TEXT = gettext_lazy(
    "Tệp văn bản UTF-16 (Unicode Text của Excel): lưu lại dưới dạng CSV UTF-8 hoặc XLSX."
)
BINARY_FILE = gettext_lazy(
    "Tệp không phải XLSX hay CSV (nội dung là dữ liệu nhị phân): cần tệp XLSX hoặc CSV."
)


def max_upload_bytes() -> int:
    return int(getattr(settings, "IMPORT_MAX_BYTES", 20 * 1024 * 1024))


def check_size(size: int) -> None:
    """Refuse a file over the limit before reading it."""
    limit = max_upload_bytes()
    if size > limit:
        raise ImportFileError(
            _("Tệp quá lớn: %(size)s MB, tối đa %(limit)s MB.")
            % {"size": round(size / 1024 / 1024, 1), "limit": round(limit / 1024 / 1024, 1)}
        )


# What a multipart form adds around the file (boundaries, headers, the other fields).
FORM_OVERHEAD_BYTES = 1024 * 1024


def check_request_size(content_length: str | int | None) -> None:
    """Refuse a request whose declared body (CONTENT_LENGTH) is too big to hold a file under
    the limit, before Django reads it and spools the upload to disk."""
    try:
        declared = int(content_length or 0)
    except ValueError:  # Django reads an unparsable length as 0 too
        return
    if declared > max_upload_bytes() + FORM_OVERHEAD_BYTES:
        check_size(declared)


def file_kind(data: bytes) -> str:
    """The file's kind, "xlsx" or "csv", from its content alone; raises ImportFileError for
    anything else."""
    if data.startswith(XLSX_MAGIC):
        check_xlsx_archive(data)
        return "xlsx"
    if data.startswith(XLS_MAGIC):
        raise ImportFileError(str(OLD_EXCEL))
    if data.startswith(PDF_MAGIC):
        raise ImportFileError(str(PDF_FILE))
    if data.startswith(UTF16_BOMS):
        raise ImportFileError(str(UTF16_TEXT))
    # No text encoding a CSV may be in (UTF-8, Windows-1258) has NUL bytes; programs, images,
    # archives and other binary files all do.
    if b"\x00" in data:
        raise ImportFileError(str(BINARY_FILE))
    return "csv"


def check_xlsx_archive(data: bytes) -> None:
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            members = archive.infolist()
    except (zipfile.BadZipFile, EOFError, ValueError):
        raise ImportFileError(str(BROKEN_XLSX)) from None
    if "xl/workbook.xml" not in {m.filename for m in members}:
        raise ImportFileError(str(NOT_XLSX_ZIP))
    unpacked = sum(m.file_size for m in members)
    limit = XLSX_MAX_EXPANSION * max_upload_bytes()
    if unpacked > limit:
        raise ImportFileError(
            str(XLSX_TOO_BIG_UNPACKED)
            % {"size": round(unpacked / 1024 / 1024, 1), "limit": round(limit / 1024 / 1024, 1)}
        )
