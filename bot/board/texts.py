"""What the web board and the /web command say (Vietnamese; a commune may reword it)."""

from __future__ import annotations

# --- chat: /web ---
WEB_LINK = (
    "🔗 Đường dẫn đăng nhập bảng theo dõi trên web (dùng một lần, hết hạn sau 10 phút):\n"
    "{url}\n\nMở trên máy tính hoặc điện thoại. Đừng chuyển đường dẫn này cho người khác."
)
WEB_NO_URL = (
    "Bảng theo dõi trên web chưa được cài địa chỉ. Bạn nhờ cán bộ kỹ thuật đặt "
    "HOCVUSO_PUBLIC_URL rồi gõ /web lại nhé."
)
WEB_TOO_MANY = (
    "Bạn đã xin 5 đường dẫn trong một giờ qua. Bạn dùng đường dẫn mới nhất, hoặc thử lại sau "
    "một giờ nhé."
)

# --- pages ---
TITLE = "Bảng theo dõi Học vụ số"
SIGN_IN_TITLE = "Đăng nhập bảng theo dõi"
SIGN_IN_PROMPT = "Bấm nút dưới đây để vào bảng theo dõi trên thiết bị này."
SIGN_IN_BUTTON = "Vào bảng theo dõi"
LINK_DEAD = (
    "Đường dẫn này đã được dùng hoặc đã hết hạn (mỗi đường dẫn chỉ dùng một lần, trong 10 phút). "
    "Bạn gõ /web trong Telegram hoặc Zalo để nhận đường dẫn mới."
)
SIGNED_OUT = (
    "Bạn chưa đăng nhập, hoặc phiên đã hết hạn (8 giờ). Gõ /web trong Telegram hoặc Zalo để "
    "nhận đường dẫn đăng nhập."
)
SIGNED_OUT_DONE = "Bạn đã đăng xuất. Hẹn gặp lại!"
SIGN_OUT = "Đăng xuất"
FORBIDDEN = "Bạn không có quyền xem trang này. Bạn quay lại trang chính của mình nhé."
NOT_FOUND = "Không tìm thấy trang này. Bạn quay lại trang chính nhé."
BAD_FORM = "Biểu mẫu đã cũ hoặc không hợp lệ. Bạn tải lại trang rồi thử lại nhé."
BUSY = "Hệ thống đang bận, bạn thử lại sau nhé."
HOME = "Về trang chính"
CHOOSE_COMMUNE = "Chọn xã để xem"

NAV_OVERVIEW = "Tổng quan"
NAV_REPORTS = "Nộp báo cáo"
NAV_DOWNLOADS = "Tải về"
NAV_NOTICES = "Thông báo"

MET = "Đạt"
NOT_MET = "Chưa đạt"
NO_TOTAL = "chưa khai báo tổng số hộ"
SOURCE_NOTE = (
    "Nguồn: báo cáo năm nay của các cơ quan, trường học, doanh nghiệp, HTX khi đã có; "
    "nếu chưa có, số người học trên trợ lý so với tổng số khai báo của xã."
)

DOWNLOAD_XLSX = "Bảng số liệu (Excel)"
DOWNLOAD_DOCX = "Dự thảo báo cáo (Word)"
DOWNLOAD_PNG = "Biểu đồ (ảnh PNG)"

PUBLIC_OFF = "Bảng công khai của xã này chưa được mở."
