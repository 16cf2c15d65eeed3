"""A schematic tile map of the 34 provinces and cities formed on 1 July 2025: each in a cell
of a grid placed roughly where it lies, north at the top (no map data, as Open SDG's and
the press's tile maps do). (row, column), by GSO code."""

TILES: dict[str, tuple[int, int]] = {
    # The north: mountains west to east, then the delta.
    "12": (1, 2),  # Lai Châu
    "15": (1, 3),  # Lào Cai
    "08": (1, 4),  # Tuyên Quang
    "04": (1, 5),  # Cao Bằng
    "11": (2, 1),  # Điện Biên
    "14": (2, 2),  # Sơn La
    "25": (2, 3),  # Phú Thọ
    "19": (2, 4),  # Thái Nguyên
    "20": (2, 5),  # Lạng Sơn
    "01": (3, 3),  # Hà Nội
    "24": (3, 4),  # Bắc Ninh
    "22": (3, 5),  # Quảng Ninh
    "37": (4, 3),  # Ninh Bình
    "33": (4, 4),  # Hưng Yên
    "31": (4, 5),  # Hải Phòng
    # The centre, north to south along the coast; the highlands inland.
    "38": (5, 3),  # Thanh Hóa
    "40": (6, 3),  # Nghệ An
    "42": (7, 4),  # Hà Tĩnh
    "44": (8, 4),  # Quảng Trị
    "46": (9, 4),  # Huế
    "48": (10, 5),  # Đà Nẵng
    "51": (11, 5),  # Quảng Ngãi
    "52": (12, 4),  # Gia Lai
    "66": (13, 4),  # Đắk Lắk
    "56": (13, 5),  # Khánh Hòa
    "68": (14, 4),  # Lâm Đồng
    # The south.
    "80": (15, 2),  # Tây Ninh
    "79": (15, 3),  # Hồ Chí Minh
    "75": (15, 4),  # Đồng Nai
    "91": (16, 1),  # An Giang
    "82": (16, 2),  # Đồng Tháp
    "86": (16, 3),  # Vĩnh Long
    "92": (17, 2),  # Cần Thơ
    "96": (18, 2),  # Cà Mau
}
ROWS = max(row for row, _ in TILES.values())
COLUMNS = max(column for _, column in TILES.values())
