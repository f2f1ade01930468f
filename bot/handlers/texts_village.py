"""What village heads and staff read when they use roles, invites and the village commands."""

from __future__ import annotations

ASK_CODE = "Bạn gõ mã mời nhận được từ cán bộ xã, ví dụ: /nhanma HVS-7K3M-Q9P2"
CODE_OK = (
    "✅ Bạn đã được giao vai trò {role}{scope}. Tên hiển thị của bạn được lưu để cán bộ xã "
    "biết ai phụ trách. Gõ /trogiup để xem các lệnh mới."
)
CODE_BAD = {
    "unknown": "Mã mời không đúng. Bạn kiểm tra lại từng chữ (mã có dạng HVS-XXXX-XXXX) nhé.",
    "used": "Mã mời này đã được dùng rồi. Bạn xin cán bộ xã một mã mới nhé.",
    "expired": "Mã mời đã hết hạn (mã dùng được 7 ngày). Bạn xin cán bộ xã một mã mới nhé.",
    "cancelled": "Mã mời này đã bị huỷ. Bạn xin cán bộ xã một mã mới nhé.",
    "too_many": (
        "Tài khoản này đã nhập sai mã mời nhiều lần. Để giữ an toàn, mình tạm dừng việc nhận "
        "mã ở đây trong 24 giờ. Bạn nhờ cán bộ xã kiểm tra lại mã giúp nhé."
    ),
    "busy": (
        "Vừa có nhiều lần nhập sai mã mời trên hệ thống, nên việc nhận mã tạm dừng khoảng "
        "một giờ để giữ an toàn. Bạn thử lại sau nhé."
    ),
    "lower": (
        "Bạn đang là {held}, cao hơn vai trò {offered} của mã này, nên mình không đổi vai trò "
        "của bạn (mã vẫn giữ nguyên cho người được mời). Nếu bạn thật sự muốn đổi, nhờ quản trị "
        "thu hồi vai trò hiện tại trước nhé."
    ),
}
INVITE_CONSENT = (
    "Trước khi nhận vai trò, mình xin phép lưu tên hiển thị và tài khoản ứng dụng của bạn, "
    "để xã biết ai phụ trách việc gì. Cán bộ xã xem được thông tin này. Bạn có thể xoá bất "
    "cứ lúc nào bằng /xoadulieu.\n\nBạn có đồng ý không?"
)
INVITE_CONSENT_YES = "Đồng ý, nhận vai trò"
INVITE_CONSENT_NO = "Không đồng ý"
INVITE_DECLINED = (
    "Mình hiểu, bạn chưa nhận vai trò và mình không lưu gì của bạn. "
    "Mã mời vẫn dùng được đến hết hạn: gõ /nhanma MÃ khi bạn sẵn sàng."
)
ROLES_TITLE = "👥 Vai trò trong xã {commune}:"
ROLES_NONE = "Xã {commune} chưa có ai được giao vai trò trưởng thôn hay cán bộ."
ROLES_REVOKE_HINT = "Chọn một trưởng thôn để thu hồi vai trò, hoặc gõ 0 để về menu."
ROLES_REVOKE_OPTION = "Thu hồi: {name} ({village})"
ROLES_CONFIRM = (
    "Thu hồi vai trò trưởng thôn của {name} ({village})? Người này sẽ không dùng được các "
    "lệnh trưởng thôn nữa, nhưng vẫn học và giữ kết quả như người dân."
)
ROLES_CONFIRM_YES = "Thu hồi"
ROLES_CONFIRM_NO = "Không, giữ nguyên"
ROLES_REVOKED = "✅ Đã thu hồi vai trò trưởng thôn của {name} ({village})."
ROLES_KEPT = "Đã giữ nguyên vai trò."
ROLES_GONE = "Người này không còn là trưởng thôn của xã mình nữa; không có gì để thu hồi."
INVITE_ROLE = "Bạn muốn tạo mã mời cho ai?"
INVITE_HEAD = "Trưởng thôn"
INVITE_STAFF = "Cán bộ xã"
INVITE_VILLAGE = "Trưởng thôn của thôn nào?"
INVITE_CODE = (
    "🔑 Mã mời {role}{scope}: {code}\n"
    "Dùng một lần, hết hạn ngày {expires}. Người nhận gõ: /nhanma {code}"
)
HEAD_HELP = (
    "Lệnh của trưởng thôn:\n"
    "/thon — số liệu của thôn so với mục tiêu 60%, thôn đứng thứ mấy trong xã\n"
    "/chuahoc — các hộ chưa có ai học, và hộ mới, khoá học chờ xác nhận\n"
    "/sohodan — khai báo tổng số hộ của thôn\n"
    "/hoctructiep — ghi nhận nhiều hộ dự lớp học trực tiếp cùng lúc\n"
    "/nopbaocao — nộp báo cáo ngay trong tin nhắn\n"
    "/hanbaocao — xem hạn báo cáo\n"
    "/bantin — bật/tắt bản tin 8 giờ sáng thứ Hai (thứ hạng, hộ mới, hộ còn cần thêm)"
)

VILLAGE = (
    "🏘 {village}\n"
    "Hộ có người học: {part}/{total} hộ ({pct}) — mục tiêu {target}%.\n"
    "{gap}\n"
    "Hộ đã đăng ký trên hệ thống: {registered}\n"
    "Người học: {learners} · Bài đã hoàn thành: {lessons}\n"
    "Hộ có người học theo nguồn (một hộ có thể học ở nhiều nơi):\n{sources}"
)
SOURCE_LINE = "• {name}: {count} hộ"
GAP = "Cần thêm {need} hộ nữa để đạt mục tiêu."
MET = "🎉 Thôn đã đạt mục tiêu!"
CHECK_SHORT = "số liệu cần kiểm tra"
CHECK = (
    "⚠️ Số liệu cần kiểm tra: {part} hộ có người học, nhiều hơn tổng số hộ đã khai báo. "
    "Thôn chưa được tính là đạt và chưa tính vào tỷ lệ của xã. Gõ /sohodan để sửa tổng số hộ."
)
NO_TOTAL = "Thôn chưa khai báo tổng số hộ nên chưa tính được tỷ lệ. Gõ /sohodan để khai báo."
NOT_LEARNING = "🚪 Hộ chưa có ai học: {count} hộ{page}.{confirm}"
TO_CONFIRM = "\n⏳ Chờ anh/chị xác nhận: {count} (bấm để xác nhận)."
NOT_LEARNING_NONE = "🎉 Mọi hộ trong danh sách của thôn đều đã có người học!"
NOT_LEARNING_NOTE = (
    "Bấm một hộ để ghi nhận hộ đã dự lớp học trực tiếp. "
    "Chỉ gồm các hộ có trên hệ thống (danh sách thôn hoặc hộ tự đăng ký)."
)
CONFIRM_HOUSEHOLD_LABEL = "✅ Xác nhận hộ mới: {head}"
CONFIRM_COURSE_LABEL = "✅ Xác nhận đã học: {head} — {course}"
WITH_PHOTO = " 📷"  # the resident sent a certificate picture (shown with the notice)
HOUSEHOLD_CONFIRMED = "✅ Đã xác nhận hộ {head} thuộc thôn. Hộ được tính khi có người học."
COURSE_CONFIRMED = "✅ Đã xác nhận hộ {head} học trên nền tảng khác. Hộ được tính là có người học."
GONE = "Mục này không còn nữa (có thể đã được xác nhận hoặc xoá)."
VISIT = "Ghi nhận hộ {head} đã dự lớp học trực tiếp hôm nay?"
BACK_TO_LIST = "◀️ Quay lại danh sách"
ASK_TOTAL = "Thôn có tổng cộng bao nhiêu hộ? Gõ một số, ví dụ: 320"
TOTAL_BAD = "Bạn gõ một số từ 1 đến 100.000 giúp mình nhé, ví dụ: 320"
TOTAL_BELOW_KNOWN = (
    "Chưa ghi được {total} hộ: trên hệ thống thôn đã có {known} hộ (danh sách thôn và hộ tự "
    "đăng ký đã xác nhận), nên tổng số hộ không thể nhỏ hơn {known}."
)
TOTAL_BELOW_PART = (
    "Chưa ghi được {total} hộ: thôn đã có {part} hộ có người học, nên tổng số hộ không thể nhỏ "
    "hơn {part}."
)
TOTAL_CONFIRM = (
    "Tổng số hộ đổi từ {before} thành {total} — thay đổi nhiều hơn 30%. "
    "Anh/chị chắc chắn chứ? Cán bộ xã sẽ được báo."
)
TOTAL_YES = "Đúng, {total} hộ"
TOTAL_RETYPE = "Không, gõ lại"
NO_BEFORE = "chưa có"
TOTAL_SAME = "{village} đã có {total} hộ trên hệ thống, không cần đổi."
TOTAL_OK = "✅ Đã ghi: {village} có {total} hộ (trước đây: {before})."
STAFF_TOTAL = "🏘 {village} đổi tổng số hộ: {before} → {total}."
STAFF_INFORMED = "Cán bộ xã đã được báo."
NO_STAFF = (
    "Xã chưa có cán bộ nào đăng ký trên trợ lý nên chưa báo được; anh/chị báo trực tiếp nhé."
)
CLASS_ASK = (
    "📝 Ghi nhận hộ dự lớp học trực tiếp. Gõ mã hộ hoặc họ tên chủ hộ — nhiều hộ cùng lúc, "
    "mỗi hộ một dòng hoặc cách nhau bằng dấu phẩy. Ví dụ: DT-002, Phạm Thị Hoa"
)
CLASS_LIST = "Danh sách dự lớp ({count} hộ):\n{lines}\n\nGõ thêm hộ nếu còn, hoặc bấm Ghi nhận."
CLASS_LINE_SURE = "{i}. {head}"
CLASS_LINE_GUESS = '{i}. {head} ❓ chưa chắc (anh/chị gõ "{typed}")'
CLASS_LINE_NEW = '{i}. "{typed}" ➕ chưa có trong danh sách thôn — sẽ thêm hộ mới'
CLASS_LINE_MISSING = '{i}. "{typed}" ⚠️ không tìm thấy trong thôn — sẽ bỏ qua (gõ lại cho đúng)'
CLASS_SAVE_ALL = "✅ Ghi nhận {count} hộ"
CLASS_SAVE_SURE = "Chỉ ghi {count} hộ chắc chắn"
CLASS_SAVE_WITH_GUESSES = "Ghi nhận cả {count} hộ, kể cả hộ ❓ chưa chắc"
CLASS_RESTART = "Gõ lại từ đầu"
CLASS_CANCEL = "Huỷ"
CLASS_CANCELLED = "Đã huỷ, chưa ghi nhận hộ nào."
CLASS_CUT = "Mỗi lần ghi tối đa {limit} hộ; các hộ sau chưa được thêm."
CLASS_YES = "Ghi nhận"
CLASS_NOTHING = "Chưa ghi nhận hộ nào."
CLASS_DONE_FIRST = "• {head} — từ nay được tính là hộ tham gia học tập số"
CLASS_DONE_ALREADY = "• {head} — đã được tính từ trước"
CLASS_DONE_NEW = "• {head} — hộ mới, đã thêm vào danh sách thôn và được tính"
CLASS_FINISHED = (
    "✅ Đã ghi nhận {count} hộ dự lớp ngày {day}:\n{lines}\nGõ /thon để xem số liệu mới."
)
NO_DEADLINE = "Xã chưa đặt hạn báo cáo nào. Cán bộ xã đặt bằng lệnh hocvuso commune deadlines."
TITLE_DUE = "{title} (hạn {due})"
REPORT = (
    "📄 Báo cáo của {village} — {title}, {when}\n"
    "• Tổng số hộ: {total}\n"
    "• Hộ có người học: {part} ({pct}), mục tiêu {target}%\n"
    "• Người học: {learners}; bài đã hoàn thành: {lessons}\n"
    "• Hộ dự lớp trực tiếp: {offline}\n\n"
    "Anh/chị kiểm tra rồi bấm Nộp báo cáo."
)
REPORT_WHICH = "Xã đang có hai hạn báo cáo chưa nộp. Anh/chị nộp cho hạn nào?"
REPORT_WHICH_UNKNOWN = 'Không có hạn báo cáo "{typed}".'
SUBMIT = "📨 Nộp báo cáo"
SUBMIT_PAPER = "📄 Đã nộp bản giấy"
CANCEL = "Huỷ"
SUBMITTED = "✅ Đã nộp báo cáo của {village} cho hạn {due}. {staff} Cảm ơn anh/chị!"
SUBMITTED_PAPER = (
    "✅ Đã ghi nhận {village} nộp bản giấy cho hạn {due}. Tin nhắc hạn sẽ dừng. {staff}"
)
ALREADY_SUBMITTED = (
    "{village} đã nộp báo cáo cho hạn {due} lúc {at} ({method}); không cần nộp lại."
)
METHOD_CHAT = "qua tin nhắn"
METHOD_PAPER = "bản giấy"
PAPER_NOTE = " (bản giấy)"
CANCELLED = "Đã huỷ, chưa nộp gì cả."
STAFF_TOLD = "📨 {village} đã nộp báo cáo — {title}{method}."
DEADLINES = "🗓 Hạn báo cáo của xã:\n{lines}"
DEADLINE_LINE = "• {due} — {title}: {when}{status}"
WHEN_DAYS = "còn {days} ngày"
WHEN_TODAY = "hôm nay là hạn cuối"
WHEN_PAST = "đã qua {days} ngày"
STATUS_DONE = " — thôn đã nộp ✅"
STATUS_MISSING = " — thôn chưa nộp"
ROLE_REVOKED_NOTICE = (
    "Vai trò {role} ({scope}) của bạn đã được thu hồi. Bạn vẫn học và giữ kết quả như người "
    "dân. Nếu có nhầm lẫn, bạn liên hệ cán bộ xã nhé."
)

# The weekly digest switch (/bantin, bot/handlers/village_digest.py).
DIGEST_ASK = (
    "📰 Bản tin thứ Hai (8 giờ sáng mỗi thứ Hai: thứ hạng của thôn, số hộ mới có người học "
    "trong tuần, số hộ còn cần thêm) đang {state}. Anh/chị muốn thế nào?"
)
DIGEST_STATE_ON = "bật"
DIGEST_STATE_OFF = "tắt"
DIGEST_TURN_ON = "🔔 Bật bản tin"
DIGEST_TURN_OFF = "🔕 Tắt bản tin"
DIGEST_ON = "🔔 Đã bật bản tin thứ Hai. Bản tin đến lúc 8 giờ sáng mỗi thứ Hai."
DIGEST_OFF = "🔕 Đã tắt bản tin thứ Hai. Gõ /bantin để bật lại bất cứ lúc nào."
