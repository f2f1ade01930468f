"""What commune staff read: statistics, charts, report files, reporting status, notices."""

from __future__ import annotations

STATS = (
    "📊 Xã {commune} — {date}\n"
    "Hộ có người học: {part}/{total} hộ ({pct}) — mục tiêu {target}%: {met}\n"
    "Người học: {learners} · Bài đã hoàn thành: {lessons}\n"
    "7 ngày qua: thêm {new} hộ có người học."
)
MET = "ĐẠT ✅"
NOT_MET = "chưa đạt (cần thêm {need} hộ)"
RANKING = "Các thôn (cao → thấp):\n{lines}"
RANK_LINE = "{i}. {name}: {part}/{total} hộ ({pct}){mark}"
TO_CHECK = (
    "⚠️ Số liệu cần kiểm tra (số hộ có người học nhiều hơn tổng số hộ; chưa tính vào tỷ lệ xã, "
    "chưa tính là đạt): {names}"
)
CHECK = "số liệu cần kiểm tra ⚠️ (chưa tính là đạt, chưa tính vào tỷ lệ xã)"
CHECK_SHORT = "số liệu cần kiểm tra"
VILLAGE_MET = "đạt mục tiêu ✅"
VILLAGE_NOT_MET = "chưa đạt"
VILLAGE_NO_TOTAL = "chưa khai báo tổng số hộ"
SOURCES = "Hộ có người học theo nguồn: {parts}"
SOURCE_PART = "{name} {count}"
NO_TOTAL = "Chưa khai báo tổng số hộ (không tính vào tỷ lệ xã): {names}"
TICKETS = (
    "🙋 Hỏi cán bộ: {open} câu đang chờ · {answered} đã trả lời · {escalated} đã chuyển lên xã"
    " · thời gian trả lời (trung vị): {median}"
)
TICKET_HOURS = "{hours} giờ"
COHORT = "• {label}: {learners}/{total} ({pct}) — chỉ tiêu {target}%: {met}\n  ({source})"
COHORTS = "Chỉ tiêu theo đối tượng:\n{lines}"
VILLAGE_NOT_FOUND = 'Không tìm thấy thôn "{typed}" trong xã. Các thôn: {names}'
VILLAGE = (
    "🏘 {village}: {part}/{total} hộ ({pct}) — {met}\n"
    "Hộ đã đăng ký: {registered} · Người học: {learners} · Bài đã hoàn thành: {lessons}"
)
NO_COMMUNE = (
    "Tài khoản của bạn chưa gắn với xã nào (hoặc hệ thống có nhiều xã). "
    "Bạn xin quản trị một mã mời cán bộ của xã mình nhé."
)
CHART_CAPTION = "📈 Tỷ lệ hộ có người học theo thôn, xã {commune} ({date})"
REPORT_CAPTION = "📄 {what} — xã {commune}, {date}. Bạn mở, kiểm tra và chỉnh sửa trước khi ký."
EXPORT_ASK = "Bạn muốn xuất báo cáo dạng nào?"
EXPORT_XLSX = "Bảng Excel (.xlsx)"
EXPORT_DOCX = "Báo cáo Word (.docx)"
WORKING = "⏳ Đang chuẩn bị, bạn chờ một chút nhé…"
SUBMISSIONS = "📨 Nộp báo cáo — {title}:\n{lines}\nĐã nộp {done}/{total} thôn."
SUBMITTED_LINE = "✅ {village} — {at}{paper}"
MISSING_LINE = "⏳ {village} — chưa nộp"
UNITS_MISSING = (
    "\n\n🏢 Đơn vị chưa nộp ({missing}/{total}; đã nộp {done}):\n{groups}\nXem từng đơn vị: /donvi"
)
UNITS_ALL_DONE = "\n\n🏢 Cả {total} đơn vị đã nộp. Xem từng đơn vị: /donvi"
NO_DEADLINE = "Xã chưa có hạn báo cáo nào."
NOTICE_AUDIENCE = "📣 Gửi thông báo tới ai?"
NOTICE_ALL = "Toàn xã"
NOTICE_VILLAGE = "Một thôn"
NOTICE_HEADS = "Các trưởng thôn"
NOTICE_STAFF = "Cán bộ xã"
NOTICE_WHICH_VILLAGE = "Thôn nào?"
NOTICE_ASK_TEXT = "Gõ nội dung thông báo (tối đa {limit} ký tự)."
NOTICE_TOO_LONG = "Thông báo dài {length} ký tự, tối đa {limit}. Bạn rút gọn giúp mình nhé."
NOTICE_PREVIEW = "👀 Xem trước — gửi tới {audience} ({count} người):\n\n{text}"
NOTICE_SEND = "✅ Gửi"
NOTICE_EDIT = "✏️ Sửa lại"
NOTICE_CANCEL = "Huỷ"
NOTICE_QUEUED = "📣 Đã bắt đầu gửi tới {count} người. Tiến độ sẽ hiện trong tin nhắn tiếp theo."
NOTICE_LATER = (
    "🌙 Bây giờ là giờ nghỉ (21:00–07:00): thông báo sẽ được gửi lúc 07:00 {day}. "
    "Tiến độ sẽ hiện trong tin nhắn tiếp theo."
)
NOTICE_CANCELLED = "Đã huỷ, chưa gửi gì."
NOTICE_NOBODY = "Chưa có ai trong nhóm này dùng trợ lý nên chưa gửi được."
