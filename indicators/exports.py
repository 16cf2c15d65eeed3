"""Streaming downloads of figures: CSV row by row, XLSX through a temporary file, so an
export of any size runs in constant memory. Text cells are made inert (no formula runs when
the file is opened: egov_portal/spreadsheet_cells.py); the import reads them back as they were."""

import csv
import tempfile
from collections.abc import Iterable, Iterator

from django.http import FileResponse, StreamingHttpResponse
from openpyxl import Workbook

from egov_portal.spreadsheet_cells import inert_row

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


class _Echo:
    """A file-like object whose write returns the text: csv.writer feeds the stream."""

    def write(self, value: str) -> str:
        return value


def _csv_lines(header: list[str], rows: Iterable[tuple]) -> Iterator[str]:
    writer = csv.writer(_Echo())
    yield "\ufeff" + writer.writerow(header)  # a byte-order mark, for Excel
    for row in rows:
        yield writer.writerow(["" if v is None else v for v in inert_row(row)])


def csv_response(header: list[str], rows: Iterable[tuple], *, filename: str):
    response = StreamingHttpResponse(
        _csv_lines(header, rows), content_type="text/csv; charset=utf-8"
    )
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


def xlsx_response(header: list[str], rows: Iterable[tuple], *, filename: str):
    """openpyxl's write-only mode keeps one row in memory; the file goes to disk."""
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet("figures")
    sheet.append(header)
    for row in rows:
        sheet.append(inert_row(row))
    handle = tempfile.TemporaryFile()  # noqa: SIM115
    workbook.save(handle)
    handle.seek(0)
    return FileResponse(handle, as_attachment=True, filename=filename, content_type=XLSX)
