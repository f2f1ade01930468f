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
    "/thon — số liệu của thôn so với mục tiêu 60%\n"
    "/chuahoc — các hộ chưa có ai học, để đến tận nhà\n"
    "/sohodan — khai báo tổng số hộ của thôn\n"
    "/hoctructiep — ghi nhận hộ dự lớp học trực tiếp\n"
    "/nopbaocao — nộp báo cáo ngay trong tin nhắn\n"
    "/hanbaocao — xem hạn báo cáo"
)

VILLAGE = (
    "🏘 {village}\n"
    "Hộ có người học: {part}/{total} hộ ({pct}) — mục tiêu {target}%.\n"
    "{gap}\n"
    "Hộ đã đăng ký trên hệ thống: {registered}\n"
    "Người học: {learners} · Bài đã hoàn thành: {lessons}"
)
GAP = "Cần thêm {need} hộ nữa để đạt mục tiêu."
MET = "🎉 Thôn đã đạt mục tiêu!"
NO_TOTAL = "Thôn chưa khai báo tổng số hộ nên chưa tính được tỷ lệ. Gõ /sohodan để khai báo."
NOT_LEARNING = "🚪 Hộ chưa có ai học ({count} hộ){page}:\n{lines}"
NOT_LEARNING_NONE = "🎉 Mọi hộ trong danh sách của thôn đều đã có người học!"
NOT_LEARNING_NOTE = (
    "Chỉ gồm các hộ có trên hệ thống (danh sách thôn hoặc hộ tự đăng ký). "
    "Ghi nhận hộ dự lớp trực tiếp bằng /hoctructiep."
)
NEXT_PAGE = "Trang sau ▶️"
ASK_TOTAL = "Thôn có tổng cộng bao nhiêu hộ? Gõ một số, ví dụ: 320"
TOTAL_BAD = "Bạn gõ một số từ 1 đến 100000 giúp mình nhé, ví dụ: 320"
TOTAL_OK = "✅ Đã ghi: {village} có {total} hộ (trước đây: {before})."
CLASS_ASK = "📝 Ghi nhận hộ dự lớp học trực tiếp. Gõ mã hộ hoặc họ tên chủ hộ (mỗi lần một hộ)."
CLASS_CONFIRM = "Ghi nhận hộ ông/bà {head}{code} đã dự lớp hôm nay?"
CLASS_YES = "Ghi nhận"
CLASS_RETYPE = "Không, gõ lại"
CLASS_DONE = "Xong"
CLASS_CHOOSE = "Có vài hộ tên gần giống. Hộ nào dự lớp?"
CLASS_NOT_FOUND = 'Không tìm thấy hộ "{typed}" trong thôn. Bạn gõ lại mã hộ hoặc họ tên chủ hộ.'
CLASS_RECORDED = "✅ Đã ghi nhận hộ {head}. Hộ này được tính là hộ tham gia học tập số."
CLASS_ALREADY = "✅ Đã ghi nhận hộ {head} (hộ này đã được tính từ trước)."
CLASS_MORE = "Gõ hộ tiếp theo, hoặc bấm Xong."
CLASS_FINISHED = "Đã ghi xong {count} hộ. Cảm ơn anh/chị! Gõ /thon để xem số liệu mới."
NO_DEADLINE = "Xã chưa đặt hạn báo cáo nào. Cán bộ xã đặt bằng lệnh hocvuso commune deadlines."
REPORT = (
    "📄 Báo cáo của {village} — {title} (hạn {due}, {when})\n"
    "• Tổng số hộ: {total}\n"
    "• Hộ có người học: {part} ({pct}), mục tiêu {target}%\n"
    "• Người học: {learners}; bài đã hoàn thành: {lessons}\n"
    "• Hộ dự lớp trực tiếp: {offline}\n\n"
    "Anh/chị kiểm tra rồi bấm Nộp báo cáo."
)
SUBMIT = "📨 Nộp báo cáo"
SUBMIT_PAPER = "📄 Đã nộp bản giấy"
CANCEL = "Huỷ"
SUBMITTED = "✅ Đã nộp báo cáo của {village} cho hạn {due}. Cán bộ xã đã được báo. Cảm ơn anh/chị!"
SUBMITTED_PAPER = "✅ Đã ghi nhận {village} nộp bản giấy cho hạn {due}. Tin nhắc hạn sẽ dừng."
ALREADY_SUBMITTED = "{village} đã nộp báo cáo cho hạn {due} lúc {at} ({method})."
CANCELLED = "Đã huỷ, chưa nộp gì cả."
STAFF_TOLD = "📨 {village} đã nộp báo cáo — {title} (hạn {due}){method}."
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
