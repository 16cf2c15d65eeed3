"""Evidence behind a figure: an uploaded document, typed by its content (never by its name)
and size-limited, or a link; and which reports lack the evidence their indicators require.
Nothing uploaded is ever served as anything but a download (quality views)."""

import codecs
import io
import re
import uuid
import zipfile
import zlib
from dataclasses import dataclass
from urllib.parse import urlsplit

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.base import ContentFile
from django.db import transaction
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from accounts import policy
from indicators.models import Figure, Indicator, Submission
from quality.discussion import NOT_VISIBLE, key_of, key_q
from quality.models import Evidence, EvidenceRequirement


@dataclass(frozen=True)
class Kind:
    content_type: str
    extension: str
    label: str
    other_extensions: tuple[str, ...] = ()


PDF = Kind("application/pdf", "pdf", "PDF")
PNG = Kind("image/png", "png", "PNG")
JPEG = Kind("image/jpeg", "jpg", "JPEG", ("jpeg",))
XLSX = Kind("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", "xlsx", "XLSX")
DOCX = Kind(
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document", "docx", "DOCX"
)
ODS = Kind("application/vnd.oasis.opendocument.spreadsheet", "ods", "ODS")
ODT = Kind("application/vnd.oasis.opendocument.text", "odt", "ODT")
CSV = Kind("text/csv", "csv", "CSV")
KINDS = {kind.content_type: kind for kind in (PDF, PNG, JPEG, XLSX, DOCX, ODS, ODT, CSV)}
ALLOWED = gettext_lazy("PDF, ảnh PNG/JPEG, bảng tính XLSX/ODS/CSV, văn bản DOCX/ODT")
# What follows a name's last dot is taken for an extension (replaced by the kind's) when it
# looks like one; otherwise ("Quý 1.2025") it is part of the name.
_EXTENSION = re.compile(r"(?=.*[A-Za-z])[A-Za-z0-9]{1,5}")
# Text that a browser would run or render as a page, whatever it is named.
_ACTIVE_TEXT = (b"<html", b"<!doctype", b"<script", b"<svg", b"<?xml", b"<body", b"<iframe")
# A CSV is read through in pieces of this size (each piece overlapping the one before it by
# the longest marker less one byte, so that no marker is missed where the pieces meet).
_TEXT_PIECE = 64 * 1024
_MARKER_OVERLAP = max(len(m) for m in _ACTIVE_TEXT) - 1
# An office document has tens of members, a big one a few thousand: an archive declaring more
# is refused before zipfile builds its list (an object per member, whatever their number).
MAX_ZIP_MEMBERS = 10_000
_CENTRAL_ENTRY = b"PK\x01\x02"  # what each member's entry in the central directory starts with
_ZIP_ERRORS = (
    zipfile.BadZipFile,
    KeyError,
    OSError,
    RuntimeError,
    EOFError,
    ValueError,
    zlib.error,
)


def max_bytes() -> int:
    return int(getattr(settings, "EVIDENCE_MAX_BYTES", 10 * 1024 * 1024))


def size_check(size: int) -> None:
    """Refuse a document over EVIDENCE_MAX_MB (before reading it, where its size is known)."""
    if size > max_bytes():
        raise ValidationError(
            {
                "file": _("Tệp quá lớn: %(size)s MB, tối đa %(limit)s MB.")
                % {
                    "size": round(size / 1024 / 1024, 1),
                    "limit": round(max_bytes() / 1024 / 1024, 1),
                }
            }
        )


def file_name(name: str, kind: Kind) -> str:
    """The name shown and given to a download: the uploader's, ending with the extension of
    the kind its content was found to be ("bao-cao.html" found CSV is "bao-cao.csv", "scan"
    found PDF "scan.pdf"); at most 255 characters."""
    name = (name or "").strip().rstrip(". ")
    stem, dot, suffix = name.rpartition(".")
    if not (dot and _EXTENSION.fullmatch(suffix)):
        stem, suffix = name, ""  # no extension: all of it is the name
    ours = suffix.lower() in (kind.extension, *kind.other_extensions)
    extension = suffix if ours else kind.extension  # "a.PDF" stays
    stem = stem.strip() or "minh-chung"
    return f"{stem[: 254 - len(extension)].rstrip()}.{extension}"


def download_name(item: Evidence) -> str:
    """file_name of a stored document, by the type it was stored as."""
    kind = KINDS.get(item.content_type)
    return file_name(item.name, kind) if kind else item.name


def kind_of(head: bytes, data: bytes) -> Kind | None:
    """The kind of a document from its content alone (None: not one accepted)."""
    if head.startswith(b"%PDF-"):
        return PDF
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return PNG
    if head.startswith(b"\xff\xd8\xff"):
        return JPEG
    if head.startswith(b"PK\x03\x04"):
        return _zip_kind(data)
    return _text_kind(data)


def _zip_kind(data: bytes) -> Kind | None:
    """An office document is a ZIP: told by its members' names (and an OpenDocument's
    `mimetype` member, a few bytes), nothing unpacked."""
    if not _zip_members_bounded(data):
        return None
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            names = set(archive.namelist())
            if "xl/workbook.xml" in names:
                return XLSX
            if "word/document.xml" in names:
                return DOCX
            if "mimetype" in names:
                return _opendocument_kind(archive.getinfo("mimetype"), archive)
    except _ZIP_ERRORS:
        return None
    return None


def _zip_members_bounded(data: bytes) -> bool:
    """Whether the archive has at most MAX_ZIP_MEMBERS members, known before zipfile lists
    them: the count its end record declares (read by zipfile's own reader, the one ZipFile
    uses, from the last 64 KB and 22 bytes, ZIP64 included), and the entries the data can
    hold at all (zipfile walks the directory by its size, not by that count, and each entry
    it builds starts with the signature counted here)."""
    try:
        end = zipfile._EndRecData(io.BytesIO(data))
    except _ZIP_ERRORS:
        return False
    if end is None:
        return False
    declared = max(end[zipfile._ECD_ENTRIES_TOTAL], end[zipfile._ECD_ENTRIES_THIS_DISK])
    return declared <= MAX_ZIP_MEMBERS and data.count(_CENTRAL_ENTRY) <= MAX_ZIP_MEMBERS


def _opendocument_kind(info: zipfile.ZipInfo, archive: zipfile.ZipFile) -> Kind | None:
    """ODS or ODT by the `mimetype` member: read only when stored or deflated and said to be
    under 100 bytes, and then no more than 100 bytes of it (what it says of its size may be a
    lie; reading it whole would unpack all there is)."""
    if info.file_size >= 100 or info.compress_type not in (
        zipfile.ZIP_STORED,
        zipfile.ZIP_DEFLATED,
    ):
        return None
    with archive.open(info) as member:
        mimetype = member.read(100).strip()
    return {ODS.content_type.encode(): ODS, ODT.content_type.encode(): ODT}.get(mimetype)


def _text_kind(data: bytes) -> Kind | None:
    """CSV: UTF-8 text, no NUL byte, nothing a browser would run, through to its last byte
    (what a browser sniffs need not be at the start). In pieces: no copy of the whole."""
    if b"\x00" in data:
        return None
    decoder = codecs.getincrementaldecoder("utf-8")()
    view = memoryview(data)
    try:
        for start in range(0, len(data), _TEXT_PIECE):
            decoder.decode(view[start : start + _TEXT_PIECE])
            around = data[max(0, start - _MARKER_OVERLAP) : start + _TEXT_PIECE].lower()
            if any(marker in around for marker in _ACTIVE_TEXT):
                return None
        decoder.decode(b"", final=True)  # a character cut at the very end
    except UnicodeDecodeError:
        return None
    return CSV


def _figure_check(user, figure: Figure) -> None:
    if not policy.can_comment(user, figure):
        raise PermissionDenied(NOT_VISIBLE)


@transaction.atomic
def evidence_upload(*, user, figure: Figure, name: str, data: bytes) -> Evidence:
    """Store a document behind a figure; ValidationError says why one is refused."""
    _figure_check(user, figure)
    size_check(len(data))
    if not data:
        raise ValidationError({"file": _("Tệp trống.")})
    kind = kind_of(data[:4096], data)
    if kind is None:
        raise ValidationError(
            {"file": _("Loại tệp không được nhận: chỉ nhận %(allowed)s.") % {"allowed": ALLOWED}}
        )
    evidence = Evidence(
        figure=figure,
        uploaded_by=user,
        name=file_name(name, kind),
        content_type=kind.content_type,
        size=len(data),
        **key_of(figure),
    )
    # Stored under a name of ours: the uploader's never reaches the file system.
    evidence.file.save(f"{uuid.uuid4().hex}.{kind.extension}", ContentFile(data), save=False)
    evidence.save()
    return evidence


def evidence_link(*, user, figure: Figure, link: str, name: str = "") -> Evidence:
    """A link behind a figure: http or https only."""
    _figure_check(user, figure)
    link = (link or "").strip()
    parts = urlsplit(link)
    if parts.scheme not in ("http", "https") or not parts.netloc or len(link) > 500:
        raise ValidationError({"link": _("Liên kết phải là địa chỉ http:// hoặc https://.")})
    return Evidence.objects.create(
        figure=figure,
        uploaded_by=user,
        link=link,
        name=(name or "").strip()[:255],
        **key_of(figure),
    )


def evidence_of(figure: Figure) -> list[Evidence]:
    return list(Evidence.objects.filter(key_q(figure)).order_by("uploaded_at", "pk"))


def required_indicator_ids() -> set[int]:
    return set(EvidenceRequirement.objects.values_list("indicator_id", flat=True))


def missing_evidence(submission: Submission) -> list[Indicator]:
    """The indicators of a report whose figure needs evidence and has none (two queries)."""
    required = required_indicator_ids()
    if not required:
        return []
    figures = Figure.objects.filter(
        unit_id=submission.unit_id,
        agency_id=submission.agency_id,
        period=submission.period,
        scope=Figure.Scope.SELF,
        indicator_id__in=required,
    ).select_related("indicator")
    return [f.indicator for f in _lacking(list(figures))]


def _lacking(figures: list[Figure]) -> list[Figure]:
    """Those of `figures` with no evidence (one query)."""
    if not figures:
        return []
    held = set(
        Evidence.objects.filter(
            unit_id__in={f.unit_id for f in figures},
            period__in={f.period for f in figures},
            indicator_id__in={f.indicator_id for f in figures},
        ).values_list("unit_id", "agency_id", "indicator_id", "period", "scope")
    )
    return [
        f
        for f in sorted(figures, key=lambda f: (f.indicator.position, f.indicator.code))
        if (f.unit_id, f.agency_id, f.indicator_id, f.period, f.scope) not in held
    ]


def missing_evidence_below(unit_ids, period: str) -> list[Figure]:
    """The figures of these units and period (own, scope self) that need evidence and have
    none: two queries."""
    required = required_indicator_ids()
    if not required:
        return []
    figures = Figure.objects.filter(
        unit_id__in=list(unit_ids),
        period=period,
        scope=Figure.Scope.SELF,
        indicator_id__in=required,
    ).select_related("indicator", "unit", "agency")
    return _lacking(list(figures))
