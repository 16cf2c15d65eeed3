"""Loads the reference data from fixtures/: units and lineage, indicators, the seeds' figures,
the plans and their targets.

It lives in the plans app because it loads what every app holds (plans use indicators, which
use units, never the reverse).
"""

from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from egov_portal import planner
from indicators import aggregates
from indicators.services import (
    FigureRowsError,
    indicator_catalogue_load,
    read_figures_file,
)
from indicators.writes.figures import reference_figures_load
from plans.services import plans_load
from units.reference_files import ReferenceFileError
from units.services import reference_units_load

SHOWN_PROBLEMS = 20


class Command(BaseCommand):
    help = (
        "Nạp dữ liệu tham chiếu từ fixtures/: đơn vị hành chính 2024 và 2025, quan hệ kế thừa, "
        "cơ quan, danh mục chỉ tiêu và số liệu trong các bài viết nguồn."
    )

    def add_arguments(self, parser):
        fixtures = Path(settings.BASE_DIR) / "fixtures"
        parser.add_argument(
            "--units-dir",
            type=Path,
            default=fixtures / "units",
            help="Thư mục chứa các tệp đơn vị hành chính (mặc định fixtures/units).",
        )
        parser.add_argument(
            "--indicators", type=Path, default=fixtures / "indicators" / "indicators.csv"
        )
        parser.add_argument("--figures", type=Path, default=fixtures / "figures" / "seeds.csv")
        parser.add_argument("--plans-dir", type=Path, default=fixtures / "plans")

    def handle(
        self,
        *args,
        units_dir: Path,
        indicators: Path,
        figures: Path,
        plans_dir: Path,
        verbosity,
        **options,
    ):
        try:
            summary = reference_units_load(directory=units_dir)
        except ReferenceFileError as exc:
            raise CommandError(f"Không nạp gì cả. {exc}") from exc
        self._units_summary(summary, verbosity)
        try:
            catalogue = indicator_catalogue_load(path=indicators)
        except ReferenceFileError as exc:
            raise CommandError(f"Không nạp danh mục chỉ tiêu. {exc}") from exc
        self.stdout.write(
            f"Chỉ tiêu: {catalogue.created} thêm mới, {catalogue.updated} cập nhật, "
            f"{catalogue.unchanged} không đổi."
        )
        # Thousands of units written at once: the planner's statistics of them first, or it
        # plans the tree queries below (and everyone's, until autovacuum) for a handful.
        planner.analyse("units_unit", "units_unitchange", "units_agency")
        # The bulk loaders send no signals: the aggregates that read a unit whose place,
        # validity, lineage or agencies changed are computed again (an indicator's, by the
        # catalogue's loader; the seeds below tell them their own).
        aggregates.units_changed(summary.structure_changed)
        try:
            seeds = reference_figures_load(inputs=read_figures_file(figures))
        except (ReferenceFileError, FigureRowsError) as exc:
            raise CommandError(f"Không nạp số liệu từ {figures.name}. {exc}") from exc
        self.stdout.write(
            f"Số liệu nguồn: {seeds.created} thêm mới, {seeds.updated} cập nhật, "
            f"{seeds.unchanged} không đổi, {seeds.retired} bỏ đi (tệp không còn)."
        )
        try:
            plans = plans_load(directory=plans_dir)
        except ReferenceFileError as exc:
            raise CommandError(f"Không nạp kế hoạch. {exc}") from exc
        self.stdout.write(
            f"Kế hoạch: {plans.plans} văn bản, {plans.targets} mục tiêu, "
            f"{plans.budget_lines} dòng kinh phí; {plans.changed} thay đổi."
        )
        self.stdout.write(self.style.SUCCESS("Đã nạp dữ liệu tham chiếu."))

    def _units_summary(self, summary, verbosity: int) -> None:
        out = self.stdout
        for structure, counts in summary.units_by_structure.items():
            out.write(
                f"Cơ cấu {structure}: {counts['province']} tỉnh, {counts['district']} huyện, "
                f"{counts['commune']} xã."
            )
        out.write(
            f"Đơn vị: {summary.units_created} thêm mới, {summary.units_updated} cập nhật, "
            f"{summary.units_unchanged} không đổi."
        )
        out.write(
            f"Quan hệ kế thừa: {summary.changes_created} thêm mới, {summary.changes_updated} "
            f"cập nhật, {summary.changes_deleted} xoá, {summary.changes_unchanged} không đổi."
        )
        out.write(
            f"Cơ quan: {summary.agencies_created} thêm mới, {summary.agencies_updated} cập nhật."
        )
        methods = ", ".join(f"{m}: {n}" for m, n in sorted(summary.links_by_method.items()))
        out.write(
            f"Xã cũ có đơn vị kế thừa: {summary.old_communes_with_successor}/"
            f"{summary.old_communes} ({summary.lineage_coverage:.2%}); "
            f"liên kết theo cách: {methods}."
        )
        self._problems(
            f"Không ghép được {len(summary.unresolved)} tên trong ghi chú",
            [f"{u.new_code} {u.new_name}: «{u.fragment}» ({u.reason})" for u in summary.unresolved],
            verbosity,
        )
        self._problems(
            f"{len(summary.unlinked_old_communes)} xã cũ chưa có đơn vị kế thừa",
            summary.unlinked_old_communes,
            verbosity,
        )
        out.write(
            "Bổ sung các trường hợp này vào fixtures/units/lineage_manual.csv "
            "(old_code,new_code,is_partial,note) rồi chạy lại lệnh."
        )

    def _problems(self, title: str, lines: list[str], verbosity: int) -> None:
        if not lines:
            return
        shown = lines if verbosity > 1 else lines[:SHOWN_PROBLEMS]
        self.stdout.write(self.style.WARNING(f"{title}:"))
        for line in shown:
            self.stdout.write(f"  {line}")
        if len(shown) < len(lines):
            self.stdout.write(
                f"  … và {len(lines) - len(shown)} trường hợp khác (-v 2 để xem hết)."
            )
