"""The demo accounts `make run` creates (DEBUG only), listed in the README."""

import datetime
from dataclasses import dataclass

# Published in the README on purpose; create_demo_users refuses to run with DEBUG off.
DEMO_PASSWORD = "egov-demo-2026"  # noqa: S105


@dataclass(frozen=True)
class DemoUser:
    username: str
    full_name: str
    unit_code: str
    unit_on: datetime.date
    roles: tuple[str, ...]  # Membership flags: data_entry, reviewer, steering, administrator
    superuser: bool = False


OLD = datetime.date(2024, 1, 1)  # the three-tier structure, until 30/06/2025
NEW = datetime.date(2025, 7, 1)  # the two-tier structure

DEMO_USERS = (
    DemoUser("admin", "Quản trị hệ thống", "45", OLD, ("administrator",), superuser=True),
    DemoUser("vinhlinh.nhaplieu", "Cán bộ nhập liệu huyện Vĩnh Linh", "464", OLD, ("data_entry",)),
    DemoUser("vinhlinh.duyet", "Cán bộ duyệt số liệu huyện Vĩnh Linh", "464", OLD, ("reviewer",)),
    DemoUser("hoxa.nhaplieu", "Cán bộ nhập liệu thị trấn Hồ Xá", "19363", OLD, ("data_entry",)),
    DemoUser("quangtri.bcd", "Thành viên BCĐ tỉnh Quảng Trị", "45", OLD, ("steering",)),
    # The same roles in today's structure: Xã Vĩnh Linh reports to the new Tỉnh Quảng Trị.
    DemoUser("xavinhlinh.nhaplieu", "Cán bộ nhập liệu xã Vĩnh Linh", "19363", NEW, ("data_entry",)),
    DemoUser("quangtri.duyet", "Cán bộ duyệt số liệu tỉnh Quảng Trị", "44", NEW, ("reviewer",)),
    DemoUser("quangtri2025.bcd", "Thành viên BCĐ tỉnh Quảng Trị (mới)", "44", NEW, ("steering",)),
)
