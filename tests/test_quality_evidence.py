"""Comments, follow-ups and evidence behind figures (quality.discussion, quality.evidence):
who may do what, what stays with a figure's history, what files are accepted and how they
are served, and approval refused without required evidence (issue 20, items 3 and 4)."""

import datetime
import io
import json
import os
import struct
import subprocess
import sys
import zipfile
import zlib
from pathlib import Path

import pytest
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.core.files.storage import FileSystemStorage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.files.uploadhandler import StopUpload
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from accounts.models import Membership
from entry.services import EntryValue, EvidenceMissing, submission_act
from indicators.models import Figure, Indicator
from indicators.reports import submission_get
from indicators.selectors import figure_history
from quality import discussion, evidence, uploads
from quality.models import Comment, Evidence, EvidenceRequirement, FollowUp
from tests.test_entry_workflow import Q1, complete_values, save
from units.models import Unit

pytestmark = pytest.mark.django_db
OLD = datetime.date(2024, 1, 1)
ROOT = Path(__file__).resolve().parent.parent
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64


@pytest.fixture(autouse=True)
def media(monkeypatch, tmp_path):
    """Evidence files in a folder of the test's own (the field's storage is made when the
    model is: swapped here, as settings would not reach it)."""
    field = Evidence._meta.get_field("file")
    monkeypatch.setattr(field, "storage", FileSystemStorage(location=tmp_path / "media"))


@pytest.fixture
def users(users) -> dict:
    """The demo accounts, and an official of Bến Quan (Hồ Xá's neighbour)."""
    found = dict(users)
    neighbour = get_user_model().objects.create_user("benquan.nhaplieu", password="x")
    Membership.objects.create(
        user=neighbour, unit=Unit.objects.in_force(OLD).get(code="19366"), is_data_entry=True
    )
    found["benquan.nhaplieu"] = neighbour
    return found


@pytest.fixture
def staff_figure(users, hoxa) -> Figure:
    """Hồ Xá's draft HR_IT_STAFF for 2025Q1 (3 people)."""
    save(users["hoxa.nhaplieu"], hoxa, {"HR_IT_STAFF": EntryValue(value="3")})
    return Figure.objects.select_related("unit", "agency", "indicator").get(
        unit=hoxa, indicator__code="HR_IT_STAFF", period=Q1.id
    )


# --- comments and follow-ups ---------------------------------------------------------


def test_those_who_see_a_figure_comment_on_it_others_do_not_even_see_it(
    users, staff_figure, client, api_client
):
    discussion.comment_add(user=users["hoxa.nhaplieu"], figure=staff_figure, text="Đã rà soát.")
    api_client.force_authenticate(users["vinhlinh.duyet"])
    url = f"/api/v1/observations/{staff_figure.pk}/comments/"
    answer = api_client.post(url, {"text": "Vì sao tăng?"}, format="json")
    assert answer.status_code == 200
    assert [c["text"] for c in answer.json()] == ["Đã rà soát.", "Vì sao tăng?"]
    assert api_client.post(url, {"text": "  "}, format="json").status_code == 400
    # A neighbouring commune's official does not see the draft: 404, nothing written.
    api_client.force_authenticate(users["benquan.nhaplieu"])
    assert api_client.post(url, {"text": "x"}, format="json").status_code == 404
    client.force_login(users["benquan.nhaplieu"])
    assert client.get(f"/quality/figures/{staff_figure.pk}/").status_code == 404
    assert (
        client.post(
            f"/quality/figures/{staff_figure.pk}/", {"action": "comment", "text": "x"}
        ).status_code
        == 404
    )
    api_client.force_authenticate(None)
    assert api_client.post(url, {"text": "x"}, format="json").status_code == 403
    assert Comment.objects.count() == 2


def test_a_reviewer_marks_a_follow_up_which_stays_open_until_resolved_with_a_comment(
    users, hoxa, staff_figure, client
):
    official, reviewer = users["hoxa.nhaplieu"], users["vinhlinh.duyet"]
    with pytest.raises(discussion.PermissionDenied):
        discussion.follow_up_open(user=official, figure=staff_figure, reason="tự đánh dấu")
    client.force_login(reviewer)
    page = f"/quality/figures/{staff_figure.pk}/"
    assert client.post(page, {"action": "follow_up", "reason": ""}).status_code == 400
    assert client.post(page, {"action": "follow_up", "reason": "Tăng gấp ba?"}).status_code == 302
    # Twice: still one.
    discussion.follow_up_open(user=reviewer, figure=staff_figure, reason="lần nữa")
    assert FollowUp.objects.filter(resolved_at__isnull=True).count() == 1
    listing = client.get(f"/quality/follow-ups/?unit={hoxa.parent_id}&period={Q1.id}")
    assert 'data-indicator="HR_IT_STAFF"' in listing.content.decode()
    # The official explains and closes it; a comment is required.
    client.force_login(official)
    assert client.post(page, {"action": "resolve", "text": ""}).status_code == 400
    assert (
        client.post(page, {"action": "resolve", "text": "Đúng: tuyển thêm 2 người."}).status_code
        == 302
    )
    assert not FollowUp.objects.filter(resolved_at__isnull=True).exists()
    kinds = [c.kind for c in discussion.comments_of(staff_figure)]
    assert kinds == ["follow_up", "resolved"]
    listing = client.get(f"/quality/follow-ups/?unit={hoxa.pk}&period={Q1.id}")
    assert "data-follow-ups-none" in listing.content.decode()


def test_the_follow_up_api(users, staff_figure, api_client):
    url = f"/api/v1/observations/{staff_figure.pk}/follow-up/"
    api_client.force_authenticate(users["hoxa.nhaplieu"])
    assert api_client.post(url, {"action": "open", "text": "x"}, format="json").status_code == 403
    api_client.force_authenticate(users["vinhlinh.duyet"])
    opened = api_client.post(url, {"action": "open", "text": "Kiểm tra"}, format="json")
    assert opened.status_code == 200 and opened.json()[0]["kind"] == "follow_up"
    resolved = api_client.post(url, {"action": "resolve", "text": "Đã xem"}, format="json")
    assert [c["kind"] for c in resolved.json()] == ["follow_up", "resolved"]
    again = api_client.post(url, {"action": "resolve", "text": "Đã xem"}, format="json")
    assert again.status_code == 400


def test_comments_stay_with_the_figures_history_when_it_is_cleared_and_entered_again(
    users, hoxa, staff_figure
):
    discussion.comment_add(user=users["hoxa.nhaplieu"], figure=staff_figure, text="Số cũ.")
    save(users["hoxa.nhaplieu"], hoxa, {"HR_IT_STAFF": EntryValue()})  # cleared: deleted
    assert not Figure.objects.filter(pk=staff_figure.pk).exists()
    save(users["hoxa.nhaplieu"], hoxa, {"HR_IT_STAFF": EntryValue(value="5")})
    again = Figure.objects.get(unit=hoxa, indicator__code="HR_IT_STAFF", period=Q1.id)
    assert [c.text for c in discussion.comments_of(again)] == ["Số cũ."]


# --- evidence -----------------------------------------------------------------------


def test_documents_are_typed_by_content_and_served_as_downloads(
    users, staff_figure, client, api_client
):
    api_client.force_authenticate(users["hoxa.nhaplieu"])
    url = f"/api/v1/observations/{staff_figure.pk}/evidence/"
    sent = api_client.post(url, {"file": io.BytesIO(PDF), "name": "qd.pdf"}, format="multipart")
    assert sent.status_code == 200, sent.content
    item = Evidence.objects.get()
    assert (item.content_type, item.size) == ("application/pdf", len(PDF))
    assert not item.file.name.endswith("qd.pdf")  # stored under a name of ours
    client.force_login(users["vinhlinh.duyet"])
    download = client.get(f"/quality/evidence/{item.pk}/")
    assert download.status_code == 200
    assert download["Content-Type"] == "application/pdf"
    assert download["Content-Disposition"].startswith("attachment")
    assert download["X-Content-Type-Options"] == "nosniff"
    assert "sandbox" in download["Content-Security-Policy"]
    assert b"".join(download.streaming_content) == PDF
    client.force_login(users["benquan.nhaplieu"])
    assert client.get(f"/quality/evidence/{item.pk}/").status_code == 404


@pytest.mark.parametrize(
    ("data", "name"),
    [
        (b"<html><script>alert(1)</script></html>", "bao-cao.pdf"),
        (b'<?xml version="1.0"?><svg onload="alert(1)"/>', "anh.png"),
        (b"MZ\x90\x00\x03\x00\x00\x00", "tai-lieu.docx"),
        (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 32, "cu.xls"),
    ],
)
def test_what_is_not_an_accepted_document_is_refused_whatever_its_name(
    users, staff_figure, api_client, data, name
):
    api_client.force_authenticate(users["hoxa.nhaplieu"])
    url = f"/api/v1/observations/{staff_figure.pk}/evidence/"
    answer = api_client.post(url, {"file": io.BytesIO(data), "name": name}, format="multipart")
    assert answer.status_code == 400
    assert "Loại tệp không được nhận" in answer.json()["file"][0]
    assert not Evidence.objects.exists()


def test_office_documents_spreadsheets_images_and_csv_are_accepted(users, staff_figure):
    def office(members: dict[str, bytes]) -> bytes:
        out = io.BytesIO()
        with zipfile.ZipFile(out, "w") as archive:
            for member, content in members.items():
                archive.writestr(member, content)
        return out.getvalue()

    samples = {
        "a.png": (PNG, "image/png"),
        "a.jpg": (b"\xff\xd8\xff\xe0" + b"\x00" * 16, "image/jpeg"),
        "a.xlsx": (office({"xl/workbook.xml": b"<w/>"}), evidence.XLSX.content_type),
        "a.docx": (office({"word/document.xml": b"<d/>"}), evidence.DOCX.content_type),
        "a.ods": (
            office({"mimetype": evidence.ODS.content_type.encode()}),
            evidence.ODS.content_type,
        ),
        "a.csv": ("mã,giá trị\n19363,3\n".encode(), "text/csv"),
    }
    for name, (data, kind) in samples.items():
        item = evidence.evidence_upload(
            user=users["hoxa.nhaplieu"], figure=staff_figure, name=name, data=data
        )
        assert item.content_type == kind, name


LONG_CSV = "mã,tên,giá trị\n".encode() + "19363,Thị trấn Hồ Xá,3\n".encode() * 4000


@pytest.mark.parametrize(
    "tail",
    [b"\x00\x01", b"\xc3\x28", b"<script>alert(1)</script>", b"<HtMl><body>"],
    ids=["nul", "not-utf8", "script", "html"],
)
def test_a_csv_is_read_to_its_last_byte_not_only_its_head(users, staff_figure, tail):
    data = LONG_CSV + tail + b"\n19363,x,1\n"  # 100 KB of good rows first
    with pytest.raises(ValidationError, match="Loại tệp không được nhận"):
        evidence.evidence_upload(
            user=users["hoxa.nhaplieu"], figure=staff_figure, name="a.csv", data=data
        )
    assert not Evidence.objects.exists()
    good = evidence.evidence_upload(
        user=users["hoxa.nhaplieu"], figure=staff_figure, name="a.csv", data=LONG_CSV
    )
    assert good.content_type == "text/csv"


def test_a_marker_or_a_letter_across_two_pieces_of_a_csv_is_seen_whole():
    cut = evidence._TEXT_PIECE
    marker = b"a" * (cut - 3) + b"<script>"
    assert evidence.kind_of(marker[:4096], marker) is None
    letter = b"a" * (cut - 1) + "ấ".encode()  # its three bytes in two pieces
    assert evidence.kind_of(letter[:4096], letter) == evidence.CSV
    assert evidence.kind_of(letter[:4096], letter[:-1]) is None  # cut short at the end


@pytest.mark.parametrize(
    ("name", "kind", "saved"),
    [
        ("bao-cao.html", evidence.CSV, "bao-cao.csv"),
        ("scan", evidence.PDF, "scan.pdf"),
        ("a.PDF", evidence.PDF, "a.PDF"),
        ("anh.jpeg", evidence.JPEG, "anh.jpeg"),
        ("anh.png", evidence.JPEG, "anh.jpg"),
        ("bang.xls", evidence.XLSX, "bang.xlsx"),
        ("Báo cáo Quý 1.2025", evidence.PDF, "Báo cáo Quý 1.2025.pdf"),  # not an extension
        ("scan.", evidence.PDF, "scan.pdf"),
        (".html", evidence.CSV, "minh-chung.csv"),
        ("", evidence.ODT, "minh-chung.odt"),
        ("x" * 300 + ".pdf", evidence.PDF, "x" * 251 + ".pdf"),
    ],
)
def test_a_saved_name_ends_with_the_extension_of_what_was_found(name, kind, saved):
    assert evidence.file_name(name, kind) == saved


def test_the_name_shown_and_downloaded_is_that_of_the_content(users, staff_figure, client):
    client.force_login(users["hoxa.nhaplieu"])
    page = f"/quality/figures/{staff_figure.pk}/"
    for name, data in (("bao-cao.html", LONG_CSV), ("báo cáo", PDF)):
        upload = SimpleUploadedFile(name, data)
        assert client.post(page, {"action": "upload", "file": upload}).status_code == 302
    csv, pdf = Evidence.objects.order_by("pk")
    assert (csv.name, pdf.name) == ("bao-cao.csv", "báo cáo.pdf")
    shown = client.get(page).content.decode()
    assert "bao-cao.csv" in shown and "bao-cao.html" not in shown
    download = client.get(f"/quality/evidence/{csv.pk}/")
    assert download["Content-Disposition"] == 'attachment; filename="bao-cao.csv"'
    assert download["Content-Type"] == "text/csv"
    download = client.get(f"/quality/evidence/{pdf.pk}/")
    assert download["Content-Disposition"] == "attachment; filename*=utf-8''b%C3%A1o%20c%C3%A1o.pdf"
    # A document stored under another name (before names were made so) downloads as what it is.
    Evidence.objects.filter(pk=csv.pk).update(name="cu.html")
    download = client.get(f"/quality/evidence/{csv.pk}/")
    assert download["Content-Disposition"] == 'attachment; filename="cu.csv"'


def test_too_big_a_file_and_a_link_that_is_not_http_are_refused(
    users, staff_figure, api_client, settings
):
    settings.EVIDENCE_MAX_BYTES = 1024
    api_client.force_authenticate(users["hoxa.nhaplieu"])
    url = f"/api/v1/observations/{staff_figure.pk}/evidence/"
    big = api_client.post(url, {"file": io.BytesIO(PDF + b"0" * 2048)}, format="multipart")
    assert big.status_code == 400 and "quá lớn" in big.json()["file"][0]
    for link in ("javascript:alert(1)", "file:///etc/passwd", "ftp://x/y", "https://"):
        answer = api_client.post(url, {"link": link}, format="json")
        assert answer.status_code == 400, link
    good = api_client.post(
        url, {"link": "https://quangtri.gov.vn/qd-123", "name": "QĐ 123"}, format="json"
    )
    assert good.status_code == 200 and good.json()[0]["link"] == "https://quangtri.gov.vn/qd-123"
    assert Evidence.objects.count() == 1


@pytest.mark.parametrize("where", ["page", "api"])
def test_a_file_over_the_limit_is_refused_while_read_not_after(
    users, staff_figure, settings, where
):
    """The upload is stopped once past EVIDENCE_MAX_BYTES (CSRF checked as in a browser, which
    reads the body first): the rest of the body is never read, nothing is kept."""
    settings.EVIDENCE_MAX_BYTES = 64 * 1024
    client = Client(enforce_csrf_checks=True)
    client.force_login(users["hoxa.nhaplieu"])
    page = f"/quality/figures/{staff_figure.pk}/"
    client.get(page)
    token = client.cookies["csrftoken"].value
    big = SimpleUploadedFile("qd.pdf", PDF + b"0" * (1024 * 1024))
    if where == "page":  # the token first, as the form sends it
        fields = {"csrfmiddlewaretoken": token, "action": "upload", "file": big}
        answer = client.post(page, fields)
        assert answer.status_code == 400
        message = answer.context["errors"]["file"][0]
        assert message in answer.content.decode()
    else:
        url = f"/api/v1/observations/{staff_figure.pk}/evidence/"
        answer = client.post(url, {"file": big}, HTTP_X_CSRFTOKEN=token)
        assert answer.status_code == 400
        message = answer.json()["file"][0]
    assert message == "Tệp quá lớn: 1.0 MB, tối đa 0.1 MB."
    assert not Evidence.objects.exists()
    request = answer.wsgi_request
    limit = request.upload_handlers[0]
    assert isinstance(limit, uploads.SizeLimit)
    total = int(request.META["CONTENT_LENGTH"])
    assert limit.exceeded and limit.received < total
    # Read: the limit and at most a chunk or two around it; the rest is still unread.
    unread = len(request.META["wsgi.input"])
    assert unread > total - limit.limit - 3 * limit.chunk_size
    # Within the limit, the same request goes through to the handlers that keep the file.
    small = SimpleUploadedFile("qd.pdf", PDF)
    if where == "page":
        fields = {"csrfmiddlewaretoken": token, "action": "upload", "file": small}
        assert client.post(page, fields).status_code == 302
    else:
        assert client.post(url, {"file": small}, HTTP_X_CSRFTOKEN=token).status_code == 200
    assert Evidence.objects.get().size == len(PDF)


def test_a_body_declared_over_the_limit_is_stopped_at_its_first_file(settings):
    settings.EVIDENCE_MAX_BYTES = 1024 * 1024
    limit = uploads.SizeLimit()
    limit.handle_raw_input(None, {}, 1024 * 1024 + uploads.FORM_BYTES, b"-", "utf-8")
    limit.new_file("file", "qd.pdf", "application/pdf", None)  # a form around a file: fine
    limit = uploads.SizeLimit()
    limit.handle_raw_input(None, {}, 100 * 1024 * 1024, b"-", "utf-8")
    with pytest.raises(StopUpload):
        limit.new_file("file", "qd.pdf", "application/pdf", None)
    assert limit.exceeded and limit.received == 0


def test_a_report_missing_required_evidence_is_not_approved_and_the_page_says_which(
    users, hoxa, staff_figure, client
):
    EvidenceRequirement.objects.create(
        indicator=Indicator.objects.get(code="HR_IT_STAFF"), note="Quyết định phân công"
    )
    save(users["hoxa.nhaplieu"], hoxa, complete_values(hoxa, None, Q1), submit=True)
    report = submission_get(hoxa, None, Q1)
    assert report.status == "submitted"
    with pytest.raises(EvidenceMissing, match="HR_IT_STAFF"):
        submission_act(user=users["vinhlinh.duyet"], submission=report, action="approve")
    client.force_login(users["vinhlinh.duyet"])
    page = client.get(f"/entry/reports/{report.pk}/").content.decode()
    assert 'data-evidence-missing-count="1"' in page
    assert "data-evidence-missing" in page
    evidence.evidence_upload(
        user=users["hoxa.nhaplieu"], figure=staff_figure, name="qd.pdf", data=PDF
    )
    submission_act(user=users["vinhlinh.duyet"], submission=report, action="approve")
    report.refresh_from_db()
    assert report.status == "approved"


def test_the_s3_setting_switches_the_evidence_storage():
    """EVIDENCE_S3_BUCKET puts evidence on an S3-compatible store (django-storages); without
    it, on the file system. Read in a fresh interpreter, as settings are."""
    code = (
        "import django; django.setup();"
        "from django.core.files.storage import storages;"
        "s = storages['evidence']; print(type(s).__name__, getattr(s, 'bucket_name', ''))"
    )
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "egov_portal.settings"}
    env.pop("EVIDENCE_S3_BUCKET", None)
    plain = subprocess.run(
        [sys.executable, "-c", code], env=env, cwd=ROOT, capture_output=True, text=True, check=True
    )
    assert plain.stdout.split() == ["FileSystemStorage"]
    s3 = subprocess.run(
        [sys.executable, "-c", code],
        env={**env, "EVIDENCE_S3_BUCKET": "minh-chung"},
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
    )
    assert s3.stdout.split() == ["S3Storage", "minh-chung"]


HOSTILE = r"""
import json, os, resource, sys
resource.setrlimit(resource.RLIMIT_AS, (768 * 1024 * 1024,) * 2)
import django
django.setup()
from quality.evidence import kind_of
data = open(sys.argv[1], "rb").read()
print(json.dumps({"size": len(data), "kind": str(kind_of(data[:4096], data))}))
"""


def kind_in_a_small_process(path: Path) -> dict:
    """kind_of on the file, in a process of its own under HOSTILE's memory limit and a time
    limit (the machine is shared): its answer, {"size", "kind"}."""
    answer = subprocess.run(
        [sys.executable, "-c", HOSTILE, str(path)],
        cwd=ROOT,
        env={**os.environ, "DJANGO_SETTINGS_MODULE": "egov_portal.settings"},
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert answer.returncode == 0, answer.stderr[-2000:]
    return json.loads(answer.stdout.strip().splitlines()[-1])


def mimetype_bomb(*, megabytes: int) -> bytes:
    """A ZIP whose `mimetype` member unpacks to `megabytes` of zeros (a few KB packed)."""
    bomb = io.BytesIO()
    with (
        zipfile.ZipFile(bomb, "w", zipfile.ZIP_DEFLATED) as archive,
        archive.open("mimetype", "w") as member,
    ):
        chunk = b"\0" * (1024 * 1024)
        for _ in range(megabytes):
            member.write(chunk)
    return bomb.getvalue()


def test_a_zip_bomb_is_refused_without_unpacking_it(tmp_path):
    """An "OpenDocument" whose mimetype member unpacks to 400 MB: read under a memory limit
    of 768 MB (the interpreter and Django included) and a time limit, it is refused."""
    bomb = tmp_path / "bomb.ods"
    bomb.write_bytes(mimetype_bomb(megabytes=400))
    result = kind_in_a_small_process(bomb)
    assert result["size"] < 2 * 1024 * 1024 and result["kind"] == "None"


def test_a_mimetype_member_lying_about_its_size_is_read_no_further_than_100_bytes(tmp_path):
    """Its central directory says 50 bytes; it unpacks to 1.5 GB. Read whole, it would not
    fit under the memory limit."""
    data = bytearray(mimetype_bomb(megabytes=1500))
    struct.pack_into("<L", data, data.rfind(b"PK\x01\x02") + 24, 50)  # its file size
    path = tmp_path / "lie.ods"
    path.write_bytes(data)
    result = kind_in_a_small_process(path)
    assert result["size"] < 2 * 1024 * 1024 and result["kind"] == "None"


def listing(names: list[bytes], *, declared: int, zip64: bool = False) -> bytes:
    """A ZIP of one stored member, xl/workbook.xml, whose central directory lists `names`
    (each pointing at that member) and whose end record declares `declared` entries (a
    ZIP64 one, which holds millions, if `zip64`)."""
    content, first = b"<w/>", b"xl/workbook.xml"
    crc, size = zlib.crc32(content), len(content)
    local = struct.pack("<4s5H3L2H", b"PK\x03\x04", 20, 0, 0, 0, 0, crc, size, size, len(first), 0)
    local += first + content
    head = struct.pack("<4s6H3L", b"PK\x01\x02", 20, 20, 0, 0, 0, 0, crc, size, size)
    directory = b"".join(head + struct.pack("<5H2L", len(n), 0, 0, 0, 0, 0, 0) + n for n in names)
    end = b""
    if zip64:
        at = len(local) + len(directory)
        end += struct.pack(
            "<4sQ2H2L4Q", b"PK\x06\x06", 44, 45, 45, 0, 0, declared, declared,
            len(directory), len(local),
        )  # fmt: skip
        end += struct.pack("<4sLQL", b"PK\x06\x07", 0, at, 1)
    count = min(declared, 0xFFFF)
    end += struct.pack("<4s4H2LH", b"PK\x05\x06", 0, 0, count, count, len(directory), len(local), 0)
    return local + directory + end


@pytest.mark.parametrize(
    ("names", "declared", "zip64"),
    [
        # 200,001 entries (9.4 MB, under the upload limit) while the end record says one.
        ([b"xl/workbook.xml"] + [b"a"] * 200_000, 1, False),
        # One entry; a ZIP64 end record claiming five million.
        ([b"xl/workbook.xml"], 5_000_000, True),
        # As many as it says, but past the bound.
        ([b"xl/workbook.xml"] + [b"a"] * 20_000, 20_001, False),
    ],
    ids=["lying-count", "zip64-millions", "too-many"],
)
def test_an_archive_of_too_many_members_is_refused_before_they_are_listed(
    tmp_path, names, declared, zip64
):
    path = tmp_path / "nhieu.xlsx"
    path.write_bytes(listing(names, declared=declared, zip64=zip64))
    assert kind_in_a_small_process(path)["kind"] == "None"
    # Made the same way with a few members: an XLSX (refused above for their number alone).
    few = listing([b"xl/workbook.xml", b"xl/styles.xml"], declared=2, zip64=zip64)
    assert evidence.kind_of(few[:4096], few) == evidence.XLSX


def test_a_comment_written_on_the_report_page_shows_there_and_on_the_form(
    users, hoxa, staff_figure, client
):
    report = submission_get(hoxa, None, Q1)
    client.force_login(users["vinhlinh.duyet"])
    desk = f"/entry/reports/{report.pk}/"
    answer = client.post(
        f"/quality/figures/{staff_figure.pk}/",
        {"action": "comment", "text": "Ba người là đủ chưa?", "back": "1", "next": desk},
    )
    assert answer.status_code == 302 and answer["Location"] == desk
    assert "Ba người là đủ chưa?" in client.get(desk).content.decode()
    # Somewhere else than the portal: back to the figure's page instead.
    elsewhere = client.post(
        f"/quality/figures/{staff_figure.pk}/",
        {"action": "comment", "text": "x", "back": "1", "next": "https://evil.example/"},
    )
    assert elsewhere["Location"] == f"/quality/figures/{staff_figure.pk}/"
    client.force_login(users["hoxa.nhaplieu"])
    form = client.get(f"/entry/{hoxa.pk}/{Q1.id}/").content.decode()
    assert "Ba người là đủ chưa?" in form


# --- the figure's page ---------------------------------------------------------------


def test_the_figures_page_shows_who_changed_its_value_when_newest_first(
    users, hoxa, staff_figure, client, django_assert_num_queries
):
    official = users["hoxa.nhaplieu"]
    save(official, hoxa, {"HR_IT_STAFF": EntryValue(value="5")})
    client.force_login(users["vinhlinh.duyet"])
    url = f"/quality/figures/{staff_figure.pk}/"
    page = client.get(url)
    changes = page.context["history"].changes
    assert [(c.after.history_type, c.after.value) for c in changes] == [("~", 5), ("+", 3)]
    assert changes[0].before.value == 3 and changes[0].value_changed
    assert changes[1].before is None
    assert {c.after.history_user for c in changes} == {official}
    html = page.content.decode()
    assert 'data-history-type="~"' in html.split('data-history-type="+"')[0]  # newest first
    for text in ("Lịch sử thay đổi", "Nhập mới", "Đã sửa", official.get_full_name()):
        assert text in html
    # One query, whatever the number of changes: the page asks no more for six than for two.
    with django_assert_num_queries(1):
        figure_history(figure=staff_figure)
    with CaptureQueriesContext(connection) as two:
        client.get(url)
    for value in ("6", "7", "8", "9"):
        save(official, hoxa, {"HR_IT_STAFF": EntryValue(value=value)})
    with CaptureQueriesContext(connection) as six:
        assert len(client.get(url).context["history"].changes) == 6
    assert len(six) == len(two)
    latest = figure_history(figure=staff_figure, limit=2)
    assert [c.after.value for c in latest.changes] == [9, 8] and latest.more
    assert latest.changes[1].before.value == 7
    english = client.get(url, HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "Change history" in english and "Entered" in english and "Changed" in english


def test_the_history_is_shown_to_those_who_see_the_figure_only(users, staff_figure, client):
    client.force_login(users["benquan.nhaplieu"])  # a neighbour: the draft is not shown
    assert client.get(f"/quality/figures/{staff_figure.pk}/").status_code == 404
    client.force_login(users["hoxa.nhaplieu"])
    page = client.get(f"/quality/figures/{staff_figure.pk}/")
    assert "data-history" in page.content.decode()


def test_an_approved_figures_history_is_shown_to_its_units_readers_only(
    users, hoxa, staff_figure, client
):
    """Approved, the figure is open to every signed-in user; its history (the draft values
    before it, who entered them) stays with those who read the unit's reports."""
    values = complete_values(hoxa, None, Q1)
    values["HR_IT_STAFF"] = EntryValue(value="4")  # the draft's 3 becomes 4
    save(users["hoxa.nhaplieu"], hoxa, values, submit=True)
    report = submission_get(hoxa, None, Q1)
    submission_act(user=users["vinhlinh.duyet"], submission=report, action="approve")
    url = f"/quality/figures/{staff_figure.pk}/"
    client.force_login(users["benquan.nhaplieu"])  # a neighbour
    page = client.get(url)
    assert page.status_code == 200
    assert "data-history" not in page.content.decode()
    client.force_login(users["hoxa.nhaplieu"])
    history = client.get(url).content.decode()
    assert "data-history-value" in history and "hoxa.nhaplieu" in history


def test_a_follow_up_is_resolved_on_the_figures_page_by_those_who_may_only(
    users, staff_figure, client
):
    discussion.follow_up_open(user=users["vinhlinh.duyet"], figure=staff_figure, reason="Vì sao?")
    url = f"/quality/figures/{staff_figure.pk}/"
    resolve = {"action": "resolve", "text": "Đã kiểm tra lại."}
    # The province's steering committee sees the figure, not the form, and may not resolve.
    client.force_login(users["quangtri.bcd"])
    page = client.get(url)
    assert page.status_code == 200 and 'value="resolve"' not in page.content.decode()
    assert client.post(url, resolve).status_code == 403
    client.force_login(users["benquan.nhaplieu"])  # a neighbour does not even see it
    assert client.post(url, resolve).status_code == 404
    assert FollowUp.objects.get().resolved_at is None
    # The official who reports it resolves it right there, and is brought back to it.
    client.force_login(users["hoxa.nhaplieu"])
    assert 'value="resolve"' in client.get(url).content.decode()
    answer = client.post(url, resolve, follow=True)
    assert answer.redirect_chain == [(url, 302)]
    html = answer.content.decode()
    assert "Đã đóng việc theo dõi." in html and 'data-follow-up="none"' in html
    follow_up = FollowUp.objects.get()
    assert follow_up.resolved_by == users["hoxa.nhaplieu"] and follow_up.resolved_at
