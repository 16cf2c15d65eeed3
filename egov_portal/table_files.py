"""Tables as the files people download: CSV (UTF-8 with a byte-order mark, so Excel shows
Vietnamese) and XLSX. Every export writes through here, and every text cell is made inert
on the way (no formula runs when the file is opened: egov_portal/spreadsheet_cells.py).

- figures of any number, streamed: csv_response row by row, xlsx_response through a
  temporary file (openpyxl's write-only mode), in constant memory;
- pandas frames (reports, plan tables): frame_csv, and frames_xlsx with one sheet per
  frame, each under a title line.
"""

import csv
import io
import tempfile
from collections.abc import Iterable, Iterator

import pandas as pd
from django.http import FileResponse, StreamingHttpResponse
from openpyxl import Workbook
from openpyxl.styles import Font

from egov_portal.spreadsheet_cells import inert, inert_frame, inert_row

CSV = "text/csv; charset=utf-8"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


class _Echo:
    """A file-like object whose write returns the text: csv.writer feeds the stream."""

    def write(self, value: str) -> str:
        return value


def _csv_lines(header: list[str], rows: Iterable[tuple], *, bom: bool = True) -> Iterator[str]:
    writer = csv.writer(_Echo())
    yield ("\ufeff" if bom else "") + writer.writerow(header)  # a byte-order mark, for Excel
    for row in rows:
        yield writer.writerow(["" if v is None else v for v in inert_row(row)])


def csv_response(header: list[str], rows: Iterable[tuple], *, filename: str, bom: bool = True):
    """`bom`: a byte-order mark first, for Excel (not in open data's files, which validators
    read as plain UTF-8)."""
    response = StreamingHttpResponse(_csv_lines(header, rows, bom=bom), content_type=CSV)
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


def frame_csv(frame: pd.DataFrame) -> bytes:
    return inert_frame(frame).to_csv(index=False).encode("utf-8-sig")


def frames_xlsx(sheets: dict[str, pd.DataFrame], *, title: str) -> bytes:
    """Each frame on its sheet, under a bold title line, columns as wide as their text."""
    buffer = io.BytesIO()
    with pd.ExcelWriter(buffer, engine="openpyxl") as writer:
        for sheet, frame in sheets.items():
            inert_frame(frame).to_excel(writer, sheet_name=sheet, index=False, startrow=2)
            worksheet = writer.sheets[sheet]
            worksheet["A1"] = inert(title)
            worksheet["A1"].font = Font(bold=True)
            for column in worksheet.columns:
                width = max(len(str(cell.value or "")) for cell in column[2:]) if column else 10
                worksheet.column_dimensions[column[0].column_letter].width = min(max(width, 8), 60)
            worksheet.freeze_panes = "A4"
    return buffer.getvalue()
