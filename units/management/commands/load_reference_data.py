"""Loads the reference data from fixtures/: administrative units and their lineage."""

from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from units.reference_files import ReferenceFileError
from units.services import reference_units_load

SHOWN_PROBLEMS = 20


class Command(BaseCommand):
    help = "Nạp dữ liệu tham chiếu (đơn vị hành chính 2024 và 2025, quan hệ kế thừa) từ fixtures/."

    def add_arguments(self, parser):
        parser.add_argument(
            "--units-dir",
            type=Path,
            default=Path(settings.BASE_DIR) / "fixtures" / "units",
            help="Thư mục chứa các tệp đơn vị hành chính (mặc định fixtures/units).",
        )

    def handle(self, *args, units_dir: Path, verbosity: int, **options):
        try:
            summary = reference_units_load(directory=units_dir)
        except ReferenceFileError as exc:
            raise CommandError(f"Không nạp gì cả. {exc}") from exc

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
        out.write(self.style.SUCCESS("Đã nạp dữ liệu tham chiếu."))

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
