"""What commune staff read while deciding the award proposals (/khenthuong)."""

from __future__ import annotations

LIST = (
    "🏅 Đề xuất khen thưởng năm {year} — {commune}{page}\n"
    "{count} đề xuất: {proposed} đề nghị · {declined} không đề nghị · {undecided} chưa xét.\n\n"
    "{lines}\n\n"
    "Bấm (hoặc gõ số) một đề xuất để đề nghị hay không đề nghị. Danh sách gửi đi chỉ có các "
    "đề xuất “đề nghị”; đề xuất chưa xét nằm ở mục riêng, đề xuất “không đề nghị” được bỏ ra."
)
LINE = "{i}. {mark} {who}\n   {achievement}\n   Căn cứ: {evidence}"
MARKS = {"propose": "✅ [đề nghị]", "decline": "✖️ [không đề nghị]", None: "⏳ [chưa xét]"}
NONE = (
    "🏅 Năm {year} chưa có đề xuất khen thưởng nào: chưa có đơn vị gửi đề nghị, chưa có thôn "
    "đạt {target}% hay tăng tỷ lệ, chưa có đơn vị đạt chỉ tiêu theo báo cáo."
)
DETAIL = (
    "🏅 {who}\nThành tích: {achievement}\nCăn cứ: {evidence}\nHiện tại: {mark}\n\n"
    "Xã có đề nghị khen thưởng không?"
)
# A short tag after the name on a button, so two proposals for one village differ.
ORIGIN_TAGS = {
    "nom": "đơn vị đề nghị",
    "reach": "đạt mục tiêu",
    "gain": "tăng nhiều",
    "cohort": "đạt chỉ tiêu",
}
PROPOSE = "✅ Đề nghị"
DECLINE = "✖️ Không đề nghị"
UNDECIDE = "⏳ Để sau (chưa xét)"
BACK = "↩️ Về danh sách"
FILE_DOCX = "📄 Xuất danh sách (Word)"
FILE_XLSX = "📊 Xuất danh sách (Excel)"
MARKED = {
    "propose": "✅ Đã ghi: đề nghị khen thưởng {name}.",
    "decline": "✖️ Đã ghi: không đề nghị {name} (không có trong danh sách gửi đi).",
    None: "⏳ Đã để {name} ở mục chưa xét.",
}
GONE = "Đề xuất này không còn trong danh sách (số liệu đã thay đổi). Mời bạn chọn lại."
BAD_YEAR = "Năm {typed} chưa có số liệu. Bạn gõ /khenthuong hoặc /khenthuong {year}."
FILE_CAPTION = (
    "📄 Danh sách đề nghị khen thưởng năm {year} — {commune}. "
    "Bạn mở, kiểm tra và chỉnh sửa trước khi ký."
)
EXPORT_EMULATION_DOCX = "🏆 Báo cáo thi đua năm {year} (Word)"
EXPORT_EMULATION_XLSX = "🏆 Báo cáo thi đua năm {year} (Excel)"
EXPORT_AWARDS_DOCX = "🏅 Đề nghị khen thưởng năm {year} (Word)"
EXPORT_AWARDS_XLSX = "🏅 Đề nghị khen thưởng năm {year} (Excel)"
EMULATION_CAPTION = (
    "📄 Báo cáo kết quả phong trào thi đua năm {year} — {commune}. "
    "Bạn mở, kiểm tra và chỉnh sửa trước khi ký."
)
