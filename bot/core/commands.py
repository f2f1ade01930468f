"""The chat command menus per role, with their Vietnamese descriptions (Telegram's menu button)."""

from __future__ import annotations

RESIDENT = [
    ("start", "Bắt đầu / đăng ký"),
    ("hoc", "Chọn bài học"),
    ("tiep", "Học tiếp bài đang dở"),
    ("ketqua", "Kết quả của tôi"),
    ("hoi", "Hỏi một câu, tìm bài phù hợp"),
    ("dahoc", "Báo đã học xong ở nơi khác"),
    ("hoicanbo", "Hỏi trưởng thôn, cán bộ xã"),
    ("nhacnho", "Bật/tắt tin nhắc học"),
    ("lienket", "Liên kết Zalo và Telegram"),
    ("xoadulieu", "Xoá dữ liệu của tôi"),
    ("trogiup", "Hướng dẫn"),
]
VILLAGE_HEAD = [
    ("thon", "Số liệu của thôn"),
    ("chuahoc", "Hộ chưa có người học"),
    ("sohodan", "Khai báo tổng số hộ"),
    ("hoctructiep", "Ghi nhận lớp học trực tiếp"),
    ("nopbaocao", "Nộp báo cáo"),
    ("bantin", "Bật/tắt bản tin thứ Hai của thôn"),
    ("web", "Bảng theo dõi trên web"),
    ("hanbaocao", "Hạn báo cáo"),
    ("hoidap", "Câu hỏi của người dân"),
]
UNIT_HEAD = [
    ("donvi", "Đơn vị của tôi, hạn và tình hình nộp"),
    ("nopbaocao", "Làm, nộp, sửa báo cáo thi đua"),
    ("hanbaocao", "Hạn báo cáo"),
]
STAFF = [
    ("thongke", "Thống kê toàn xã"),
    ("bieudo", "Biểu đồ"),
    ("xuatbaocao", "Xuất báo cáo, báo cáo thi đua (Excel/Word)"),
    ("chuanop", "Thôn, đơn vị chưa nộp báo cáo"),
    ("donvi", "Đơn vị báo cáo (cơ quan, trường, doanh nghiệp…)"),
    ("khenthuong", "Xét đề nghị khen thưởng"),
    ("guitin", "Gửi thông báo"),
    ("moi", "Tạo mã mời"),
    ("themfaq", "Thêm câu hỏi thường gặp"),
    ("web", "Bảng theo dõi trên web"),
]


# How a command that takes words is typed.
EXAMPLES = {
    "hoi": "/hoi cai vneid the nao",
    "lienket": "/lienket 123456",
    "sohodan": "/sohodan 320",
    "thongke": "/thongke dong tam",
    "khenthuong": "/khenthuong 2026",
    "nhanma": "/nhanma HVS-7K3M-Q9P2",
}


def menu_for(role: str) -> list[tuple[str, str]]:
    """Return the commands a user of this role sees in the menu."""
    if role == "village_head":
        return VILLAGE_HEAD + RESIDENT
    if role == "unit_head":
        return UNIT_HEAD + RESIDENT
    if role in ("staff", "admin"):
        return STAFF + VILLAGE_HEAD[-2:] + RESIDENT
    return RESIDENT
