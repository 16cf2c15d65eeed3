"""The quarterly report on IT application as the Word document a unit files.

"Báo cáo tình hình ứng dụng công nghệ thông tin, phát triển chính quyền điện tử": for a unit
and a period, a .docx laid out as an administrative document of Decree 30/2020/NĐ-CP
(Appendix I: A4, margins, Times New Roman, the national title and motto, the issuing body,
number and symbol, place and date, recipients and signer), with editable tables of what the
unit's dashboard shows: the headline figures against the plans' targets, the units below
ranked, reporting completeness, and the laggards. Nothing is recomputed: the figures are the
dashboard's (reports/dashboard.dashboard_build), the laggards split as the dashboard splits
them (plans.progress.missed_and_no_data). The official adds the narrative and signs
(docs/decisions/0022).
"""

import io
from collections import OrderedDict
from decimal import Decimal

from django.utils import formats
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from docx import Document
from docx.enum.section import WD_ORIENT
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Mm, Pt

from indicators import analytics
from indicators.models import Figure
from indicators.periods import PeriodKind
from plans import progress
from plans.validation import is_percentage
from reports import dashboard
from units.models import Unit

FONT = "Times New Roman"
BODY_PT = 14
TABLE_PT = 12
RECIPIENTS_PT = 11
# Decree 30/2020/NĐ-CP, Appendix I: top and bottom 20–25 mm, left 30–35 mm, right 15–20 mm.
MARGINS_MM = {"top": 20, "bottom": 20, "left": 30, "right": 15}
CONTENT_WIDTH_MM = 210 - MARGINS_MM["left"] - MARGINS_MM["right"]
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
# The level words of a unit's name and of its people's committee ("Huyện Vĩnh Linh" →
# "ỦY BAN NHÂN DÂN HUYỆN VĨNH LINH").
_TYPE_WORDS = ("Thành phố", "Thị xã", "Thị trấn", "Tỉnh", "Huyện", "Quận", "Xã", "Phường")


REPORTING_LEFT_OUT = gettext_lazy(
    "Tình hình báo cáo (đơn vị nào đã nộp, chưa nộp) chỉ dành cho cán bộ của đơn vị và đơn vị "
    "cấp trên, nên không có trong bản tải này."
)


def short_name(unit: Unit) -> str:
    """The name without its type word: "Tỉnh Quảng Trị" → "Quảng Trị"."""
    for word in _TYPE_WORDS:
        if unit.name.startswith(word + " "):
            return unit.name[len(word) + 1 :]
    return unit.name


def committee_name(unit: Unit) -> str:
    """The unit's people's committee, as the law writes it: "Ủy ban nhân dân huyện Vĩnh Linh"."""
    first, _sep, rest = unit.name.partition(" ")
    return _("Ủy ban nhân dân %(unit)s") % {"unit": f"{first.lower()} {rest}".strip()}


def report_docx(unit: Unit, period, *, today, with_reporting: bool = True) -> bytes:
    """The .docx for the unit and period: the dashboard's data, laid out. Without
    `with_reporting` (a reader who may not see the unit's reports: accounts.policy), the
    completeness section says it is left out."""
    board = dashboard.dashboard_build(unit, period, today=today)
    buffer = io.BytesIO()
    report_document(board, with_reporting=with_reporting).save(buffer)
    return buffer.getvalue()


def period_title(period) -> str:
    """ "quý 4 năm 2020", "năm 2018", "6 tháng đầu năm 2021", "tháng 3 năm 2021"."""
    year, month = period.start.year, period.start.month
    if period.kind == PeriodKind.QUARTER:
        return _("quý %(quarter)s năm %(year)s") % {"quarter": (month - 1) // 3 + 1, "year": year}
    if period.kind == PeriodKind.YEAR:
        return _("năm %(year)s") % {"year": year}
    if period.kind == PeriodKind.HALF:
        if month == 1:
            return _("6 tháng đầu năm %(year)s") % {"year": year}
        return _("6 tháng cuối năm %(year)s") % {"year": year}
    return _("tháng %(month)s năm %(year)s") % {"month": month, "year": year}


def report_document(board: dashboard.Dashboard, *, with_reporting: bool = True) -> Document:
    """The Word document of a dashboard's data."""
    unit, period = board.unit, board.period
    document = Document()
    _page(document)
    _header(document, board)
    _paragraph(document, _("BÁO CÁO"), bold=True, align=WD_ALIGN_PARAGRAPH.CENTER, before=12)
    _paragraph(
        document,
        _("Tình hình ứng dụng công nghệ thông tin, phát triển chính quyền điện tử %(period)s")
        % {"period": period_title(period)},
        bold=True,
        align=WD_ALIGN_PARAGRAPH.CENTER,
    )
    _paragraph(document, "_______", align=WD_ALIGN_PARAGRAPH.CENTER)
    _paragraph(document, _("Kính gửi: ……………………………………"), align=WD_ALIGN_PARAGRAPH.CENTER)
    _paragraph(
        document,
        _(
            "%(body)s báo cáo tình hình ứng dụng công nghệ thông tin, phát triển chính quyền "
            "điện tử %(period)s như sau:"
        )
        % {"body": committee_name(unit), "period": period_title(period)},
        indent=True,
    )
    _headline_section(document, board)
    _ranking_section(document, board)
    _completeness_section(document, board, with_reporting=with_reporting)
    _laggards_section(document, board)
    _paragraph(document, _("V. ĐỀ XUẤT, KIẾN NGHỊ"), bold=True, before=6)
    _placeholder(document, _("[Đề xuất, kiến nghị …]"))
    _footer(document)
    return document


# --- the page and its header ----------------------------------------------------------------


def _page(document: Document) -> None:
    section = document.sections[0]
    section.orientation = WD_ORIENT.PORTRAIT
    section.page_width, section.page_height = Mm(210), Mm(297)
    section.top_margin = Mm(MARGINS_MM["top"])
    section.bottom_margin = Mm(MARGINS_MM["bottom"])
    section.left_margin = Mm(MARGINS_MM["left"])
    section.right_margin = Mm(MARGINS_MM["right"])
    style = document.styles["Normal"]
    style.font.name = FONT
    style.font.size = Pt(BODY_PT)
    # East Asian text (and Word's fallback) in the same face.
    style.element.get_or_add_rPr().get_or_add_rFonts().set(qn("w:eastAsia"), FONT)
    style.paragraph_format.space_after = Pt(0)


def _header(document: Document, board: dashboard.Dashboard) -> None:
    unit = board.unit
    table = document.add_table(rows=1, cols=2)
    _no_borders(table)
    _widths(table, [Mm(70), Mm(CONTENT_WIDTH_MM - 70)])
    left, right = table.rows[0].cells
    superior = board.ancestors[-1] if board.ancestors else None
    first = left.paragraphs[0]
    if superior is not None:
        _run(first, _("UBND %(unit)s") % {"unit": superior.name.upper()}, size=13)
        first = left.add_paragraph()
    _run(first, committee_name(unit).upper(), bold=True, size=13)
    _run(left.add_paragraph(), "_______", size=13)
    _run(left.add_paragraph(), _("Số:      /BC-UBND"), size=13)
    for paragraph in left.paragraphs:
        paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER
    _run(right.paragraphs[0], _("CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM"), bold=True, size=12)
    _run(right.add_paragraph(), _("Độc lập - Tự do - Hạnh phúc"), bold=True, size=13)
    _run(right.add_paragraph(), "________________________", size=13)
    # The place (the province's short name) and date, under the motto; the date is the
    # signing day, left for the official to write (decision 0022).
    place = short_name(board.ancestors[0]) if board.ancestors else short_name(unit)
    date_line = _("%(place)s, ngày      tháng      năm      ") % {"place": place}
    _run(right.add_paragraph(), date_line, italic=True, size=BODY_PT)
    for paragraph in right.paragraphs:
        paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER


# --- the sections -----------------------------------------------------------------------------


def _headline_section(document: Document, board: dashboard.Dashboard) -> None:
    _paragraph(document, _("I. CÁC CHỈ TIÊU CHÍNH SO VỚI MỤC TIÊU KẾ HOẠCH"), bold=True, before=6)
    header = [
        _("TT"),
        _("Chỉ tiêu"),
        _("Giá trị"),
        _("Đơn vị tính"),
        _("Mục tiêu kế hoạch"),
        _("Thời hạn"),
        _("Đánh giá"),
    ]
    # "khoảng" where the figure was given as approximate, as the dashboard says (one query).
    marked = iter(
        analytics.with_approximate([v for card in board.cards for v in (card.value, *card.tiers)])
    )
    rows = []
    for n, card in enumerate(board.cards, 1):
        target = card.target
        value = _value_text(next(marked))
        # The tiers' values the card shows (a province's communes, districts, departments).
        for tier in [next(marked) for _tier in card.tiers]:
            value += f"\n{Figure.Scope(tier.scope).label}: {_value_text(tier)}"
        rows.append(
            [
                str(n),
                card.indicator.localized_name,
                value,
                _measure(card.indicator),
                _target_text(target),
                (target.target.deadline or _("không nêu")) if target else "",
                target.status.label if target else _("Không có mục tiêu"),
            ]
        )
    _table(document, header, rows, widths=[10, 50, 20, 18, 30, 17, 20], kind="headline")
    if not board.plans:
        _paragraph(document, _("Không có kế hoạch nào áp dụng cho đơn vị trong kỳ."), italic=True)
    _placeholder(document, _("[Đánh giá, nhận xét về các chỉ tiêu chính …]"))


def _ranking_section(document: Document, board: dashboard.Dashboard) -> None:
    _paragraph(document, _("II. XẾP HẠNG CÁC ĐƠN VỊ TRỰC THUỘC"), bold=True, before=6)
    header = [_("Hạng"), _("Đơn vị"), _("Chỉ số sẵn sàng (0–100)"), _("Độ phủ")]
    rows = [
        [
            str(r.rank) if r.rank is not None else "—",
            r.key.name,
            _number(r.index * 100, 1) if r.index is not None else "—",
            f"{_number(r.coverage * 100, 0)}%" if r.coverage is not None else "—",
        ]
        for r in board.ranking
    ]
    _table(document, header, rows, widths=[15, 80, 40, 30], kind="ranking")
    if not rows:
        _paragraph(document, _("Đơn vị không có đơn vị trực thuộc trong kỳ."), italic=True)
    _placeholder(document, _("[Đánh giá, nhận xét về xếp hạng …]"))


def _completeness_section(
    document: Document, board: dashboard.Dashboard, *, with_reporting: bool
) -> None:
    _paragraph(document, _("III. TÌNH HÌNH BÁO CÁO SỐ LIỆU"), bold=True, before=6)
    if not with_reporting:
        _paragraph(document, str(REPORTING_LEFT_OUT), italic=True)
        _placeholder(document, _("[Đánh giá, nhận xét về tình hình báo cáo …]"))
        return
    grouped: OrderedDict = OrderedDict()
    for row in board.completeness:
        key = ("agency", row.agency.pk) if row.agency else ("unit", row.unit.pk)
        grouped.setdefault(key, []).append(row)
    header = [_("TT"), _("Đơn vị, cơ quan"), _("Đã báo cáo/Phải báo cáo"), _("Đúng hạn")]
    rows = []
    for n, found in enumerate(grouped.values(), 1):
        sent = [r for r in found if r.status in ("submitted", "approved")]
        on_time = [r for r in sent if not r.is_late]
        rows.append([str(n), found[0].name, f"{len(sent)}/{len(found)}", str(len(on_time))])
    _table(document, header, rows, widths=[12, 88, 40, 25], kind="completeness")
    if not rows:
        _paragraph(document, _("Không có đơn vị, cơ quan nào phải báo cáo trong kỳ."), italic=True)
    _placeholder(document, _("[Đánh giá, nhận xét về tình hình báo cáo …]"))


def _laggards_section(document: Document, board: dashboard.Dashboard) -> None:
    _paragraph(document, _("IV. CÁC ĐƠN VỊ CHẬM MỤC TIÊU"), bold=True, before=6)
    missed, no_data = progress.missed_and_no_data(board.laggards)
    header = [_("TT"), _("Đơn vị, cơ quan"), _("Chỉ tiêu"), _("Giá trị"), _("Mục tiêu")]
    header.append(_("Tình trạng"))
    rows = []
    for n, laggard in enumerate([*missed, *no_data], 1):
        for miss in laggard.misses:
            target = miss.progress.target
            rows.append(
                [
                    str(n),
                    laggard.name,
                    target.indicator.localized_name,
                    _plain(miss.value, target.indicator),
                    progress.target_label(target),
                    miss.status.label,
                ]
            )
    # Editable tables even when empty: the official may add to them.
    _table(document, header, rows, widths=[10, 40, 50, 20, 20, 25], kind="laggards")
    if not rows and board.plans:
        _paragraph(document, _("Không có đơn vị nào chậm mục tiêu bắt buộc trong kỳ."), italic=True)
    elif not rows:
        _paragraph(document, _("Không có kế hoạch nào áp dụng trong kỳ."), italic=True)
    _placeholder(document, _("[Đánh giá, nhận xét về các đơn vị chậm mục tiêu …]"))


def _footer(document: Document) -> None:
    table = document.add_table(rows=1, cols=2)
    _no_borders(table)
    _widths(table, [Mm(80), Mm(CONTENT_WIDTH_MM - 80)])
    left, right = table.rows[0].cells
    _run(left.paragraphs[0], _("Nơi nhận:"), bold=True, italic=True, size=12)
    for line in (_("- Như trên;"), _("- Lưu: VT."), "- ……"):
        _run(left.add_paragraph(), line, size=RECIPIENTS_PT)
    _run(right.paragraphs[0], _("TM. ỦY BAN NHÂN DÂN"), bold=True, size=BODY_PT)
    _run(right.add_paragraph(), _("CHỦ TỊCH"), bold=True, size=BODY_PT)
    for _line in range(4):  # space for the signature and seal
        right.add_paragraph()
    _run(right.add_paragraph(), "……………………", bold=True, size=BODY_PT)
    for paragraph in right.paragraphs:
        paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER


# --- values in words --------------------------------------------------------------------------


def _number(value: Decimal | float, places: int) -> str:
    """Vietnamese (or the language's) digits: "45,5", "150.000"."""
    shown = round(value, places)
    if shown == int(shown):
        places = 0
    return formats.number_format(shown, places, use_l10n=True, force_grouping=True)


def _value_text(value: analytics.RolledValue) -> str:
    """The value as the dashboard gives it: "Có", "70", "khoảng 90"; a value covering too few
    units to stand for the unit says so, with its coverage (docs/decisions/0017)."""
    if value.value is None:
        return "—"
    if value.is_answer:
        return _("Có") if value.value else _("Không")
    text = _number(value.value, 1)
    if value.is_approximate:
        text = _("khoảng %(value)s") % {"value": text}
    if value.low_coverage:
        text = _("%(value)s (độ phủ thấp: %(coverage)s)") % {
            "value": text,
            "coverage": analytics.coverage_text(value),
        }
    return text


def _plain(value: Decimal | float | None, indicator) -> str:
    if value is None:
        return "—"
    text = _number(value, 1)
    return f"{text}%" if is_percentage(indicator) else text


def _measure(indicator) -> str:
    kinds = {
        "ratio": "%",
        "boolean": _("Có/không"),
        "amount": _("đồng"),
        "count": _("đơn vị"),
    }
    return str(kinds.get(indicator.value_type, ""))


def _target_text(target: progress.TargetProgress | None) -> str:
    if target is None:
        return "—"
    plan = target.plan.number or target.plan.code
    return f"{progress.target_label(target.target)} ({plan})"


# --- python-docx helpers ----------------------------------------------------------------------


def _run(paragraph, text: str, *, bold=False, italic=False, size: float = BODY_PT):
    run = paragraph.add_run(str(text))
    run.bold, run.italic = bold, italic
    run.font.name = FONT
    run.font.size = Pt(size)
    return run


def _paragraph(
    document, text: str, *, bold=False, italic=False, align=None, before=0, indent=False
):
    paragraph = document.add_paragraph()
    _run(paragraph, text, bold=bold, italic=italic)
    if align is not None:
        paragraph.alignment = align
    paragraph.paragraph_format.space_before = Pt(before)
    paragraph.paragraph_format.space_after = Pt(6)
    if indent:
        paragraph.paragraph_format.first_line_indent = Mm(10)
    return paragraph


def _placeholder(document, text: str) -> None:
    _paragraph(document, text, italic=True, indent=True)


def _table(document, header: list[str], rows: list[list[str]], *, widths, kind: str) -> None:
    table = document.add_table(rows=1, cols=len(header))
    table.style = "Table Grid"
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    scale = CONTENT_WIDTH_MM / sum(widths)
    for cell, text in zip(table.rows[0].cells, header, strict=True):
        _run(cell.paragraphs[0], text, bold=True, size=TABLE_PT)
        cell.paragraphs[0].alignment = WD_ALIGN_PARAGRAPH.CENTER
    _repeat_header(table.rows[0])
    for values in rows:
        cells = table.add_row().cells
        for cell, text in zip(cells, values, strict=True):
            _run(cell.paragraphs[0], text, size=TABLE_PT)
    _widths(table, [Mm(w * scale) for w in widths])
    # What the table holds, for whoever reads the file back (and Word's accessibility
    # checker): the table's description.
    description = OxmlElement("w:tblDescription")
    description.set(qn("w:val"), kind)
    table._tbl.tblPr.append(description)


def _repeat_header(row) -> None:
    properties = row._tr.get_or_add_trPr()
    header = OxmlElement("w:tblHeader")
    header.set(qn("w:val"), "true")
    properties.append(header)


def _widths(table, widths) -> None:
    table.autofit = False
    for row in table.rows:
        for cell, width in zip(row.cells, widths, strict=True):
            cell.width = width


def _no_borders(table) -> None:
    borders = OxmlElement("w:tblBorders")
    for edge in ("top", "left", "bottom", "right", "insideH", "insideV"):
        element = OxmlElement(f"w:{edge}")
        element.set(qn("w:val"), "nil")
        borders.append(element)
    table._tbl.tblPr.append(borders)
