"""What village heads and staff read in reminders and notices."""

from __future__ import annotations

REMINDER = (
    "⏰ Nhắc hạn báo cáo: còn {days} ngày đến hạn {due} — {title}.\n"
    "{village}: {figures}\n"
    "Gõ /nopbaocao {short} để xem số liệu và nộp báo cáo ngay trong tin nhắn."
)
REMINDER_TOMORROW = (
    "⏰ Ngày mai ({due}) là hạn nộp báo cáo — {title}.\n"
    "{village}: {figures}\n"
    "Gõ /nopbaocao {short} để nộp ngay, chỉ mất hai lần bấm."
)
REMINDER_TODAY = (
    "📌 Hôm nay ({due}) là hạn cuối nộp báo cáo — {title}.\n"
    "{village}: {figures}\n"
    'Gõ /nopbaocao {short} để nộp ngay. Nếu đã nộp bản giấy, bấm "Đã nộp bản giấy" trong đó.'
)
OVERDUE = (
    "⚠️ Đã quá hạn {due} nhưng {village} chưa nộp báo cáo — {title}.\n"
    "Gõ /nopbaocao {short} để nộp ngay, hoặc báo cán bộ xã nếu thôn đã nộp bản giấy."
)
STAFF_MISSING = "📋 Hạn {due} — {title}: {missing}/{total} thôn chưa nộp báo cáo:\n{names}"
STAFF_ALL_DONE = "✅ Hạn {due} — {title}: cả {total} thôn đã nộp báo cáo."
UNIT_REMINDER = (
    "⏰ Nhắc hạn báo cáo thi đua: còn {days} ngày đến hạn {due} — {title}.\n"
    "{unit} chưa nộp báo cáo. Gõ /nopbaocao để làm ngay trong tin nhắn "
    "(câu nào chưa có thì bỏ qua, làm dở vẫn được lưu)."
)
UNIT_REMINDER_TOMORROW = (
    "⏰ Ngày mai ({due}) là hạn nộp báo cáo thi đua — {title}.\n"
    "{unit} chưa nộp. Gõ /nopbaocao để làm ngay."
)
UNIT_REMINDER_TODAY = (
    "📌 Hôm nay ({due}) là hạn cuối nộp báo cáo thi đua — {title}.\n"
    "{unit} chưa nộp. Gõ /nopbaocao để nộp ngay."
)
UNIT_OVERDUE = (
    "⚠️ Đã quá hạn {due} nhưng {unit} chưa nộp báo cáo thi đua — {title}.\n"
    "Gõ /nopbaocao để nộp ngay, hoặc báo cán bộ xã nếu đơn vị đã nộp bản giấy."
)
UNITS_MISSING = "\n\n🏢 {missing}/{total} đơn vị chưa nộp:\n{groups}"
UNITS_ALL_DONE = "\n\n🏢 Cả {total} đơn vị đã nộp."
FIGURES = "{part}/{total} hộ có người học ({pct}), mục tiêu {target}%."
FIGURES_CHECK = "{part}/{total} hộ có người học — số liệu cần kiểm tra (quá 100%)."
FIGURES_NO_TOTAL = "{part} hộ có người học (chưa khai báo tổng số hộ: gõ /sohodan)."

# Learning nudges for residents who keep reminders on (bot/scheduling/nudges.py).
NUDGE_RESUME = (
    "📚 Bạn đang học dở bài «{title}». Chỉ còn vài phút nữa là xong!\n"
    "Gõ /tiep để học tiếp nhé.\n"
    "(Không muốn nhận tin nhắc học? Gõ /nhacnho để tắt.)"
)
NUDGE_NEXT = (
    "🌱 Bài tiếp theo dành cho bạn: «{title}» (khoảng {minutes} phút).\n"
    "Gõ /hoc để bắt đầu nhé.\n"
    "(Không muốn nhận tin nhắc học? Gõ /nhacnho để tắt.)"
)
