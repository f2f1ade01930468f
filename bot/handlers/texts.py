"""Everything the resident reads, in one place so a commune can reword it."""

from __future__ import annotations

WELCOME = (
    "Xin chào! 👋 Mình là trợ lý Học vụ số của xã {commune}.\n"
    "Mình giúp bạn học kỹ năng số qua những bài ngắn 3 phút, ngay trong tin nhắn."
)
CONSENT = (
    "Trước khi bắt đầu, mình xin phép lưu một ít thông tin:\n"
    "• Lưu gì: tên hiển thị, thôn, hộ gia đình và kết quả học của bạn.\n"
    "• Để làm gì: để xã biết bao nhiêu hộ đã có người học (mục tiêu ít nhất 60% số hộ).\n"
    "• Ai xem: cán bộ xã và trưởng thôn của bạn, chỉ để theo dõi phong trào.\n"
    "Bạn có thể xoá hết bất cứ lúc nào bằng lệnh /xoadulieu.\n\n"
    "Bạn có đồng ý không?"
)
CONSENT_YES = "Đồng ý"
CONSENT_NO = "Không đồng ý"
GOODBYE = (
    "Mình hiểu. Mình không lưu thông tin gì của bạn: cả tài khoản vừa tạo cũng đã xoá. "
    "Khi nào muốn học, bạn chỉ cần gõ /start nhé. Chúc bạn một ngày vui! 🌿"
)
NO_COMMUNE = (
    "Xã chưa được thiết lập trên hệ thống nên mình chưa thể đăng ký cho bạn. "
    "Bạn vui lòng báo cán bộ xã giúp mình nhé."
)
ASK_COHORT = "Bạn thuộc nhóm nào dưới đây?"
COHORTS = {
    "nguoi_dan": "Người dân",
    "can_bo": "Cán bộ, công chức, viên chức",
    "lao_dong_dn": "Lao động doanh nghiệp, HTX",
    "hoc_sinh": "Học sinh, sinh viên",
}
ASK_COMMUNE = "Bạn sống ở xã/phường nào? Gõ tên xã, ví dụ: {example}"
COMMUNE_NOT_FOUND = 'Mình chưa tìm thấy xã "{typed}". Bạn chọn trong danh sách dưới đây nhé:'
ASK_VILLAGE = "Bạn sống ở thôn (tổ dân phố) nào? Gõ tên thôn, ví dụ: {example}"
VILLAGE_CONFIRM = "Có phải {village} không?"
VILLAGE_PICK = "Bạn ở thôn nào? Bấm hoặc gõ số thôn của bạn."
VILLAGE_CHOOSE = "Mình thấy vài thôn có tên gần giống. Bạn ở thôn nào?"
VILLAGE_NOT_FOUND = (
    'Mình chưa tìm thấy thôn "{typed}". Bạn gõ lại tên thôn, hoặc chọn trong danh sách:'
)
VILLAGE_OK = "Đã ghi nhận: {village}. ✅"
YES = "Đúng"
NO_RETYPE = "Không, gõ lại"
ASK_HOUSEHOLD = (
    "Bạn thuộc hộ gia đình nào? Gõ mã hộ (nếu có), hoặc họ tên chủ hộ, ví dụ: Nguyễn Văn An"
)
HOUSEHOLD_CONFIRM = "Hộ ông/bà {head}{code}, đúng không?"
HOUSEHOLD_CHOOSE = "Mình thấy vài hộ có tên gần giống. Hộ của bạn là hộ nào?"
HOUSEHOLD_NONE_OF_THESE = "Không có hộ của tôi"
HOUSEHOLD_NEW = 'Thôn chưa có hộ "{typed}" trên hệ thống. Tạo hộ mới với chủ hộ là {typed}?'
HOUSEHOLD_CREATE = "Tạo hộ mới"
HOUSEHOLD_ONE_ONLY = (
    "Bạn đã tạo hộ {head} và đã có người khác trong hộ đó. Mỗi người chỉ tạo được một hộ. "
    "Bạn gõ tên chủ hộ của một hộ đã có, hoặc nhờ trưởng thôn thêm hộ giúp nhé."
)
HOUSEHOLD_RETYPE = "Gõ lại tên chủ hộ"
HOUSEHOLD_OTHER_VILLAGE = "Chọn thôn khác"
HOUSEHOLD_NOT_LISTED = "Hộ tôi chưa có trong danh sách"
ASK_HOUSEHOLD_NEW = "Bạn gõ họ tên chủ hộ của bạn, mình sẽ tạo hộ mới, ví dụ: Nguyễn Văn An"
ASK_HOUSEHOLD_PENDING = (
    "Bạn gõ đầy đủ họ tên chủ hộ của bạn. Mình sẽ ghi hộ vào danh sách chờ trưởng thôn xác nhận."
)
HOUSEHOLD_PENDING_CONFIRM = (
    "Ghi hộ chủ hộ {typed} vào danh sách chờ trưởng thôn xác nhận? "
    "Bạn vẫn học được ngay trong lúc chờ."
)
HOUSEHOLD_PENDING_YES = "Đúng, ghi hộ này"
REGISTERED_PENDING = (
    "⏳ Hộ của bạn đang chờ trưởng thôn xác nhận. Bạn cứ học bình thường; "
    "khi trưởng thôn xác nhận, hộ được tính là hộ tham gia học tập số."
)
HOUSEHOLD_ROSTER_ONLY = (
    'Mình không tìm thấy hộ "{typed}" trong danh sách hộ của {village}. '
    "Bạn gõ lại họ tên chủ hộ hoặc mã hộ, chọn thôn khác, hoặc báo hộ của bạn chưa có "
    "trong danh sách (trưởng thôn sẽ xác nhận)."
)
HOUSEHOLD_TOO_SHORT = "Bạn gõ đầy đủ họ tên chủ hộ (ít nhất 2 chữ) hoặc mã hộ giúp mình nhé."
REGISTERED = (
    "Cảm ơn bạn! Bạn đã đăng ký xong: {village}, hộ {head}. 🎉\n"
    "Chỉ cần bạn học xong một bài là hộ của bạn được tính là hộ tham gia học tập số."
)

MENU = "📋 Menu chính — bạn muốn làm gì?"
WHAT_NEXT = "Bạn muốn làm gì tiếp?"
MENU_LEARN = "📚 Chọn bài học"
MENU_RESUME = "▶️ Học tiếp"
MENU_RESULTS = "🏅 Kết quả của tôi"
MENU_HELP = "❓ Hướng dẫn"
MENU_ASK_PERSON = "🙋 Hỏi cán bộ"
BACK_TO_MENU = "⬅️ Về menu"
NEED_REGISTRATION = "Mình cần biết vài thông tin của bạn trước khi học nhé."

TRACK_LIST = "📚 Các nhóm bài học (số bài đã xong / số bài). Bạn chọn nhóm nào?"
TRACK_ICONS = {
    "thiet_bi": "📱",
    "thong_tin": "🔎",
    "giao_tiep": "💬",
    "sang_tao": "🎨",
    "an_toan": "🛡",
    "giai_quyet": "🧩",
    "tri_tue_nhan_tao": "🤖",
}
LESSON_LIST = "📚 {track}: các bài học (✅ đã xong, ⏳ đang học). Bạn chọn bài nào?"
OTHER_TRACKS = "⬅️ Nhóm bài khác"
LESSON_LIST_EMPTY = "Hiện chưa có bài học nào. Bạn quay lại sau nhé."
LESSON_INTRO = "📘 {title}\n⏱ Khoảng {minutes} phút · {cards} thẻ · {questions} câu hỏi"
CARD = "📘 {title}\nThẻ {index}/{total} {bar}\n\n{text}"
NEXT_CARD = "Tiếp ▶️"
START_QUIZ = "Làm bài kiểm tra ✍️"
QUIZ_INTRO = "✍️ Kiểm tra nhanh: {count} câu. Đúng từ {needed} câu trở lên là đạt."
QUESTION = "Câu {index}/{total}: {text}"
QUESTION_TYPED_HINT = (
    '(Bạn gõ câu trả lời, có dấu hay không dấu đều được. Chưa biết thì gõ "bỏ qua".)'
)
SKIP_QUESTION = "⏭ Bỏ qua câu này"
LESSON_KEPT = "Bài đang học vẫn được giữ, không mất gì cả. Khi nào muốn, bạn gõ /tiep để học tiếp."
SKIPPED = "⏭ Đã bỏ qua câu này (không tính điểm). Đáp án: {answer}.\n{explanation}"
RIGHT = "✅ Đúng rồi! {explanation}"
WRONG = "❌ Chưa đúng. Đáp án: {answer}.\n{explanation}"
PASSED = '🎉 Chúc mừng! Bạn đạt {score}/{total} câu và đã hoàn thành bài "{title}".'
HOUSEHOLD_COUNTED = "🏠 Hộ của bạn đã được tính là hộ tham gia học tập số. Cảm ơn bạn!"
FAILED = (
    "Bạn đúng {score}/{total} câu, cần {needed} câu để đạt. Không sao cả, "
    "bạn xem lại bài rồi làm lại nhé! 💪"
)
RETRY_QUIZ = "🔁 Làm lại bài kiểm tra"
REVIEW_LESSON = "📖 Xem lại bài"
NEXT_LESSON = "➡️ Bài tiếp: {title}"
ALL_DONE = "Bạn đã học hết các bài hiện có. Tuyệt vời! 🌟"
NOTHING_TO_RESUME = "Bạn chưa có bài nào đang học dở. Chọn một bài để bắt đầu nhé."
RESUME_LESSON = '▶️ Học tiếp bài "{title}".'
LESSON_GONE = "Bài học này không còn nữa. Bạn chọn bài khác nhé."

RESULTS = "🏅 Kết quả của bạn\nĐã xong {done}/{total} bài."
RESULTS_LINE_DONE = "✅ {title} — {score}/{total} câu"
RESULTS_LINE_STARTED = "⏳ {title} — đang học"
RESULTS_COUNTED = "🏠 Hộ của bạn ({head}) đã được tính là hộ tham gia học tập số."
RESULTS_NOT_COUNTED = (
    "🏠 Hộ của bạn chưa được tính. Chỉ cần học xong một bài (đạt bài kiểm tra) là được tính."
)
RESULTS_NONE = "Bạn chưa học xong bài nào. Bắt đầu với bài đầu tiên nhé!"

HELP = (
    "❓ Hướng dẫn\n"
    "• Trả lời bằng cách bấm nút, hoặc gõ số (1, 2, 3…). Gõ không dấu cũng được.\n"
    '• Lúc nào cũng gõ được: "0" hoặc "menu" (về menu chính), "quay lại" (câu trước), '
    '"lặp lại" (hỏi lại), "trợ giúp", "thôi" (dừng), "bỏ qua" (câu kiểm tra chưa biết).\n\n'
    "Các lệnh của bạn:\n{commands}"
)
HELP_LINE = "/{name} — {description}"
HELP_EXAMPLE = " (ví dụ: {example})"
ROLE_MENU = "📋 Menu — bạn muốn làm gì?"
ROLE_MENUS = {
    "village_head": [
        ("🏘 Số liệu thôn", "thon"),
        ("🚪 Hộ chưa có người học", "chuahoc"),
        ("📝 Ghi nhận lớp học trực tiếp", "hoctructiep"),
        ("📨 Nộp báo cáo", "nopbaocao"),
        ("🗓 Hạn báo cáo", "hanbaocao"),
    ],
    "unit_head": [
        ("🏢 Đơn vị của tôi", "donvi"),
        ("📨 Báo cáo thi đua", "nopbaocao"),
        ("🗓 Hạn báo cáo", "hanbaocao"),
    ],
    "staff": [
        ("📊 Thống kê toàn xã", "thongke"),
        ("📈 Biểu đồ", "bieudo"),
        ("📄 Xuất báo cáo", "xuatbaocao"),
        ("📨 Thôn, đơn vị chưa nộp", "chuanop"),
        ("🏢 Đơn vị báo cáo", "donvi"),
        ("🏅 Khen thưởng", "khenthuong"),
        ("📣 Gửi thông báo", "guitin"),
        ("🔑 Tạo mã mời", "moi"),
    ],
}
ROLE_MENUS["admin"] = ROLE_MENUS["staff"]
NOT_UNDERSTOOD = "Mình chưa hiểu ý bạn 🤔. Bạn chọn một mục dưới đây, hoặc gõ /trogiup nhé."
NOT_AN_OPTION = (
    "Mình chưa hiểu câu trả lời này 🤔. Bạn gõ số từ 1 đến {count}, hoặc gõ 0 để về menu nhé."
)

ASK_QUESTION = 'Bạn muốn hỏi gì? Gõ câu hỏi, ví dụ: "làm sao cài VNeID".'
ANSWER_FOUND = "Mình nghĩ những bài này sẽ giúp bạn:"
ANSWER_NOT_FOUND = (
    "Mình chưa tìm được bài học nào trả lời câu hỏi này 🙏. Bạn có thể hỏi cán bộ xã "
    "hoặc trưởng thôn, xem danh sách bài học, hoặc gõ câu hỏi theo cách khác nhé."
)
ASK_STAFF = "🙋 Hỏi cán bộ xã/trưởng thôn"
SEE_LESSONS = "📚 Xem danh sách bài học"
ASK_STAFF_REPLY = (
    "🙋 Bạn hỏi trực tiếp trưởng thôn{village}, hoặc cán bộ Văn hóa – Xã hội ở Ủy ban "
    "nhân dân xã (giờ hành chính) nhé.\n"
    "Sắp tới bạn sẽ gửi câu hỏi cho cán bộ ngay trong khung chat này. Câu hỏi của bạn đã "
    "được ghi lại (không kèm tên) để xã soạn thêm bài học."
)

REMINDERS_ON = "🔔 Đã bật tin nhắc học. Mình sẽ nhắc bạn nhẹ nhàng, không làm phiền ban đêm."
REMINDERS_OFF = "🔕 Đã tắt tin nhắc học. Gõ /nhacnho để bật lại bất cứ lúc nào."
REMINDERS_ASK = "Tin nhắc học đang {state}. Bạn muốn thế nào?"
REMINDERS_TURN_ON = "Bật nhắc nhở"
REMINDERS_TURN_OFF = "Tắt nhắc nhở"

LINK_CODE = (
    "🔗 Mã liên kết của bạn: {code} (dùng được trong {minutes} phút).\n"
    "Mở ứng dụng kia (Zalo hoặc Telegram), nhắn cho trợ lý Học vụ số: /lienket {code}\n"
    "Sau đó bạn học tiếp ở đâu cũng được, kết quả là một."
)
LINK_BAD_CODE = (
    "Mã liên kết không đúng hoặc đã hết hạn. Bạn kiểm tra lại, hoặc lấy mã mới bằng /lienket."
)
LINK_TOO_MANY = (
    "Tài khoản này đã nhập sai mã nhiều lần. Để giữ an toàn cho mọi người, "
    "mình tạm dừng việc liên kết ở đây trong 24 giờ. Bạn vẫn học bình thường; "
    "cần gấp thì nhờ cán bộ xã giúp nhé."
)
LINK_BURNED = (
    "🔒 Mã liên kết bạn vừa lấy đã bị huỷ vì có người nhập sai mã nhiều lần. "
    "Tài khoản của bạn vẫn an toàn. Nếu chính bạn đang liên kết, gõ /lienket để lấy mã mới."
)
LINK_ROLE_CLASH = (
    "Không liên kết được: tài khoản này là {mine}, tài khoản kia là {theirs}. "
    "Một người chỉ giữ một vai trò. Bạn nhờ quản trị thu hồi một vai trò "
    "(lệnh hocvuso roles revoke) rồi liên kết lại nhé."
)
LINK_OTHER_APP = (
    "Mã này cần gửi từ ứng dụng khác với nơi bạn lấy mã. "
    "Bạn mở ứng dụng còn lại rồi nhắn /lienket kèm mã nhé."
)
LINKED = "✅ Đã liên kết với tài khoản {app} của bạn. Bạn học tiếp ở đây, kết quả vẫn giữ nguyên."

DELETE_ASK = (
    "Bạn muốn xoá thông tin của mình? Mình sẽ xoá tên, thôn, hộ, toàn bộ kết quả học, "
    "tài khoản ứng dụng và tin nhắn đang chờ gửi cho bạn; hộ do bạn tự khai mà không có ai "
    "khác cũng bị xoá. Việc này không hoàn tác được."
)
DELETE_YES = "Xoá dữ liệu của tôi"
DELETE_NO = "Không, giữ lại"
DELETED = (
    "Đã xoá thông tin của bạn. 🗑 Cảm ơn bạn đã tham gia. "
    "Nếu muốn học lại, bạn gõ /start bất cứ lúc nào."
)
DELETE_KEPT = "Dữ liệu của bạn vẫn được giữ nguyên."
NOTHING_TO_DELETE = "Mình không lưu thông tin nào của bạn cả. 🙂"

# /dahoc: learning finished elsewhere (binhdanhocvuso.gov.vn and other platforms).
DECLARE_ASK = (
    "🎓 Bạn đã học xong một khoá học số ở nơi khác (ví dụ trên binhdanhocvuso.gov.vn)? "
    "Gõ tên khoá học, ví dụ: Kỹ năng số cơ bản — binhdanhocvuso.gov.vn"
)
DECLARE_TOO_SHORT = "Bạn gõ tên khoá học rõ hơn một chút (ít nhất 3 chữ cái) giúp mình nhé."
DECLARE_PHOTO = (
    "📷 Bạn gửi ảnh chụp giấy chứng nhận hoàn thành khoá học vào đây nhé (chụp rõ chữ, "
    "ảnh dưới 5 MB). Trưởng thôn sẽ xem ảnh khi xác nhận.\n"
    'Không có ảnh thì gõ "bỏ qua".'
)
DECLARE_PHOTO_SKIP = "Bỏ qua, không có ảnh"
DECLARE_PHOTO_WAITING = (
    'Mình đang chờ ảnh giấy chứng nhận. Bạn bấm 📎 để gửi ảnh, hoặc gõ "bỏ qua" nếu không có ảnh.'
)
DECLARE_NOT_IMAGE = (
    "Mình chỉ nhận ảnh chụp giấy chứng nhận thôi (không nhận nhãn dán, tin nhắn thoại hay tệp "
    'khác) 🙏. Bạn gửi một ảnh chụp, hoặc gõ "bỏ qua" nếu không có ảnh.'
)
DECLARE_PHOTO_TOO_BIG = (
    "Ảnh này lớn quá (trên 5 MB), mình chưa nhận được 🙏. Bạn chụp lại hoặc gửi ảnh nhỏ hơn "
    '(gửi dạng ảnh, không gửi dạng tệp), hoặc gõ "bỏ qua" nếu không có ảnh.'
)
DECLARE_PHOTO_FAILED = (
    "⚠️ Mình chưa lưu được ảnh chứng nhận (đường truyền có trục trặc). Khoá học của bạn vẫn đã "
    'được ghi. Bạn gửi lại ảnh ngay bây giờ nhé, hoặc gõ "bỏ qua" nếu không gửi nữa.'
)
DECLARE_PHOTO_GIVE_UP = "Thôi, không gửi ảnh nữa"
DECLARE_WITH_PHOTO = "có ảnh chứng nhận"
DECLARE_PHOTO_SAVED = "📷 Đã lưu ảnh giấy chứng nhận để trưởng thôn xem."
DECLARE_PHOTO_ADDED = '✅ Đã lưu ảnh chứng nhận cho khoá học "{course}" và gửi trưởng thôn xem.'
DECLARE_NO_PHOTO_KEPT = (
    '✅ Khoá học "{course}" vẫn được ghi (không có ảnh). Trưởng thôn sẽ xác nhận.'
)
DECLARE_SENT = (
    '✅ Đã ghi: bạn học xong "{course}". Trưởng thôn sẽ xác nhận; sau đó hộ của bạn được tính '
    "là hộ tham gia học tập số."
)
DECLARE_ALREADY = '"{course}" đã được ghi, đang chờ trưởng thôn xác nhận.'
DECLARE_TOO_MANY = (
    "Bạn đã có {count} khoá học đang chờ trưởng thôn xác nhận. Bạn chờ trưởng thôn xác nhận "
    "rồi khai báo thêm nhé."
)
DECLARE_HEAD_TOLD = "🎓 Hộ {head} báo đã học xong: {course}. Gõ /chuahoc để xác nhận."
DECLARE_HEAD_PHOTO = (
    "🎓 Hộ {head} báo đã học xong: {course}. Ảnh giấy chứng nhận ở trên (hoặc kèm theo).\n"
    "Anh/chị xem ảnh rồi bấm xác nhận, hoặc gõ /chuahoc để xem cả danh sách."
)
DECLARE_HEAD_CONFIRM = "✅ Xác nhận hộ này đã học"
