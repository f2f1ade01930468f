"""What unit heads and staff read about reporting units and the unit's yearly report."""

from __future__ import annotations

INVITE_UNIT_HEAD = "Thủ trưởng đơn vị"
INVITE_UNIT = "Thủ trưởng của đơn vị nào?"
UNIT_HEAD_HELP = (
    "Lệnh của thủ trưởng đơn vị:\n"
    "/donvi — đơn vị của bạn, người phụ trách, tình hình nộp báo cáo và hạn nộp\n"
    "/nopbaocao — làm và nộp báo cáo thi đua của đơn vị ngay trong tin nhắn "
    "(làm dở vẫn được lưu, sửa được đến hết hạn)\n"
    "/hanbaocao — xem hạn báo cáo"
)
NO_UNIT = (
    "Bạn chưa được giao đơn vị nào (hoặc đơn vị đã bị xoá). Bạn xin cán bộ xã một mã mời mới nhé."
)
NO_DEADLINE = "Xã chưa đặt hạn báo cáo nào, nên chưa có báo cáo để nộp. Bạn hỏi cán bộ xã nhé."

# /donvi for a unit head
UNIT = (
    "🏢 {unit} ({kind}), xã {commune}\n"
    "Tổng số người: {members}\n"
    "Người phụ trách trên hệ thống: {heads}\n"
    "{status}"
)
UNIT_STATUS_DONE = "✅ Đã nộp báo cáo — {title} lúc {at} (lần {revision}). {correct}"
UNIT_CAN_CORRECT = "Sửa được đến hết ngày {due}: gõ /nopbaocao."
UNIT_NO_CORRECT = "Đã qua hạn nên không sửa được nữa; cần sửa thì báo cán bộ xã."
UNIT_STATUS_MISSING = "⏳ Chưa nộp báo cáo — {title}, {when}. Gõ /nopbaocao để làm báo cáo."
UNIT_STATUS_DRAFT = " Bạn có một bản nháp đang làm dở, gõ /nopbaocao để làm tiếp."
WHEN_DAYS = "còn {days} ngày"
WHEN_TODAY = "hôm nay là hạn cuối"
WHEN_PAST = "đã quá hạn {days} ngày"

# /donvi for staff
UNITS_NONE = (
    "Xã chưa có đơn vị báo cáo nào (cơ quan, trường học, doanh nghiệp, hợp tác xã, đoàn thể). "
    "Thêm bằng lệnh: hocvuso import units FILE.csv"
)
UNITS_TITLE = "🏢 Đơn vị báo cáo — {title}:"
UNITS_KIND = "\n{kind} ({done}/{total} đã nộp):"
UNIT_LINE_DONE = "✅ {unit} — {members} người, {learned} đã học — nộp {at}{revision}"
UNIT_LINE_MISSING = "⏳ {unit} — {members} người — chưa nộp{head}"
UNIT_NO_HEAD = " (chưa có người phụ trách: tạo mã bằng /moi)"
UNITS_DONE = "\nĐã nộp {done}/{total} đơn vị."
REVISION = " (sửa lần {revision})"
UNKNOWN = "?"

# /nopbaocao for a unit head: the questions
START = (
    "📝 Báo cáo thi đua của {unit} — {title} ({when}).\n"
    "Có 6 phần; câu nào chưa có thì gõ «bỏ qua». Làm dở cũng không sao: "
    "gõ /nopbaocao lúc khác để làm tiếp."
)
RESUME = "📝 Làm tiếp báo cáo đang dở của {unit} — {title}."
REPORT_KEPT = "Bản nháp báo cáo vẫn được giữ; khi nào muốn, bạn gõ /nopbaocao để làm tiếp."
ASK_TOTAL = (
    "1/6. Đơn vị có tổng cộng bao nhiêu người (cán bộ, người lao động, giáo viên, hội viên…)?\n"
    "Gõ số, ví dụ 45 hoặc «bốn mươi lăm».{keep}"
)
KEEP_TOTAL = " Gõ «bỏ qua» để giữ số {total}."
ASK_LEARNED = (
    "2/6. Năm nay có bao nhiêu người đã học kỹ năng số (trên bot này, trên "
    "binhdanhocvuso.gov.vn hoặc ở lớp học)?\nGõ số; chưa có ai thì gõ «không»."
)
ASK_CLASSES = "3/6. Đơn vị đã tổ chức bao nhiêu lớp, buổi học kỹ năng số? Chưa có thì gõ «không»."
ASK_RESULTS = (
    "4/6. Kết quả nổi bật của đơn vị (vài dòng), ví dụ: «100% cán bộ dùng chữ ký số, "
    "hồ sơ nộp trực tuyến». Gõ «bỏ qua» nếu chưa có."
)
ASK_INITIATIVES = (
    "5/6. Sáng kiến, cách làm hay (nếu có), ví dụ: «Tổ hỗ trợ cài VNeID tại nhà cho người "
    "cao tuổi». Gõ «bỏ qua» nếu không có."
)
ASK_NOMINATION = (
    "6/6. Đơn vị đề nghị khen thưởng ai không? Chọn tập thể hoặc cá nhân để thêm một đề nghị; "
    "xong thì bấm «Xong».{current}"
)
NOMINATIONS_SO_FAR = "\nĐã có {count} đề nghị:\n{lines}"
NOM_PICK = "Bạn chọn «Tập thể», «Cá nhân» hoặc «Xong» (hết đề nghị) nhé."
NOM_TEAM = "Tập thể"
NOM_PERSON = "Cá nhân"
NOM_DONE = "Xong"
NOM_CLEAR = "Xoá hết đề nghị"
ASK_NOM_NAME_TEAM = "Tên tập thể được đề nghị (ví dụ: Tổ Văn phòng)?"
ASK_NOM_NAME_PERSON = (
    "Họ tên và chức vụ của cá nhân được đề nghị (ví dụ: Nguyễn Thị Lan, văn thư)?"
)
ASK_NOM_ACHIEVEMENT = "Thành tích của {name}, trong một câu?"
NOM_ADDED = "✅ Đã thêm đề nghị: {kind} {name}."
NOM_NOT_ADDED = "Được rồi, mình không ghi đề nghị này."
NOM_KIND = {"tap_the": "tập thể", "ca_nhan": "cá nhân"}
NOM_LINE = "• {kind} {name}: {achievement}"
NOM_TOO_MANY = "Mỗi báo cáo ghi được tối đa {max} đề nghị; phần còn lại bạn gửi cán bộ xã nhé."

# Bad answers
NOT_A_NUMBER = (
    "Mình chưa đọc được số 🙏. Bạn gõ bằng chữ số (ví dụ 45) hoặc bằng chữ (bốn mươi lăm)."
)
NEGATIVE = "Số người, số lớp không thể là số âm đâu ạ. Bạn gõ lại giúp mình nhé."
TOO_LARGE = "Số {value} lớn quá so với một đơn vị 😊. Bạn kiểm tra lại giúp mình nhé."
LEARNED_OVER_TOTAL = (
    "Số người đã học ({learned}) nhiều hơn tổng số người của đơn vị ({total}). "
    "Bạn kiểm tra lại nhé (muốn sửa tổng số thì chọn «Sửa một phần» ở bước xem lại)."
)
TOTAL_UNDER_LEARNED = (
    "Tổng số người ({total}) ít hơn số người đã học bạn báo ({learned}). Bạn kiểm tra lại nhé."
)
TOO_SHORT = "Bạn viết thêm vài chữ nữa nhé (hoặc gõ «bỏ qua»)."
TOO_LONG_TEXT = "Phần này dài quá ({length} ký tự); bạn rút gọn dưới {max} ký tự giúp mình nhé."

# Review and sending
REVIEW = (
    "📋 Xem lại báo cáo của {unit} — {title}:\n"
    "1. Tổng số người: {total}\n"
    "2. Đã học kỹ năng số năm nay: {learned}\n"
    "3. Số lớp, buổi học đã tổ chức: {classes}\n"
    "4. Kết quả: {results}\n"
    "5. Sáng kiến: {initiatives}\n"
    "6. Đề nghị khen thưởng:{nominations}\n"
    "{note}"
)
REVIEW_CORRECTING = (
    "\n✏️ Đây là bản sửa của báo cáo đã nộp (lần {revision}); gửi đi sẽ thay bản cũ."
)
SKIPPED = "(bỏ qua)"
NONE_NOMINATED = " không có"
LEARNED_PCT = "{learned} ({pct})"
SEND = "✅ Gửi báo cáo"
SEND_CORRECTION = "✅ Gửi bản sửa"
FIX = "✏️ Sửa một phần"
DISCARD = "❌ Huỷ bản nháp"
DISCARD_CORRECTION = "❌ Huỷ sửa, giữ bản đã nộp"
ASK_FIX = "Bạn muốn sửa phần nào?"
FIX_PARTS = {
    "total": "1. Tổng số người",
    "learned": "2. Đã học kỹ năng số",
    "classes": "3. Số lớp đã tổ chức",
    "results": "4. Kết quả",
    "initiatives": "5. Sáng kiến",
    "nominations": "6. Đề nghị khen thưởng",
}
BACK_TO_REVIEW = "↩️ Xem lại báo cáo"
DISCARDED = "Đã huỷ bản nháp. Khi nào cần, gõ /nopbaocao để làm lại."
DISCARDED_CORRECTION = "Đã huỷ việc sửa; báo cáo đã nộp giữ nguyên."
SENT = (
    "✅ Đã nộp báo cáo thi đua của {unit} — hạn {due}. {staff}\n"
    "Cần sửa thì gõ /nopbaocao trước hết ngày {due}."
)
SENT_CORRECTION = "✅ Đã gửi bản sửa (lần {revision}) báo cáo của {unit} — hạn {due}. {staff}"
STAFF_INFORMED = "Cán bộ xã đã được báo."
NO_STAFF = "Xã chưa có cán bộ nào dùng bot, bạn báo cán bộ xã giúp mình nhé."
STAFF_TOLD = "📨 {unit} ({kind}) đã nộp báo cáo thi đua — {title}. Xem: /donvi"
STAFF_TOLD_CORRECTION = "✏️ {unit} ({kind}) đã sửa báo cáo thi đua (lần {revision}) — {title}."

# /nopbaocao after sending
SUBMITTED_VIEW = "Đơn vị đã nộp báo cáo này lúc {at} (lần {revision})."
CORRECT = "✏️ Sửa báo cáo"
KEEP = "Giữ nguyên"
KEPT = "Báo cáo giữ nguyên. Gõ 0 để về menu."
TOO_LATE = "Đã quá hạn {due} nên báo cáo không sửa được nữa. Cần sửa thì bạn báo cán bộ xã nhé."
GONE = "Báo cáo này đã xong hoặc đã đổi; gõ /nopbaocao để xem lại."
