"""What residents, village heads and staff read about questions to a person ("Hỏi cán bộ")."""

from __future__ import annotations

# --- residents ------------------------------------------------------------------------------
ASK = (
    "🙋 Hỏi cán bộ: bạn gõ câu hỏi bằng lời của mình, càng rõ càng tốt "
    '(ví dụ: "điện thoại báo đầy bộ nhớ, tôi phải làm sao?").\n'
    "Đừng gửi mật khẩu hay mã OTP nhé. Gõ 0 để về menu."
)
TOO_SHORT = "Câu hỏi ngắn quá, cán bộ khó hiểu. Bạn gõ rõ hơn một chút nhé (ít nhất 3 chữ)."
NO_PLACE = (
    "Mình chưa biết bạn ở thôn nào nên chưa gửi được câu hỏi. Bạn gõ /start để đăng ký "
    "thôn và hộ trước nhé."
)
TO_HEAD = "trưởng thôn {village}"
TO_STAFF = "cán bộ văn hoá – xã hội của xã {commune}"
SENT = (
    "✅ Đã gửi câu hỏi số {id} tới {who}. Thường bạn sẽ nhận được trả lời trong vòng 24 giờ "
    "(ban đêm cán bộ nghỉ, trả lời sẽ đến từ 7 giờ sáng).\n"
    "Nếu muốn nói thêm, bạn cứ gõ tiếp bây giờ. Xong thì bấm nút hoặc gõ 0 để về menu."
)
SENT_NOBODY_YET = (
    "✅ Đã lưu câu hỏi số {id}. Xã chưa có cán bộ nhận câu hỏi qua trợ lý này, nên có thể "
    "phải chờ lâu hơn; mình sẽ nhắn bạn ngay khi có trả lời. Nếu việc gấp, bạn gọi trưởng thôn "
    "hoặc đến UBND xã nhé.\nMuốn nói thêm, bạn cứ gõ tiếp. Xong thì gõ 0 để về menu."
)
DONE = "✅ Xong"
ADD_NO_WORDS = (
    "Mình chưa gửi thêm gì: tin này không có chữ. Bạn gõ thêm lời nhắn bằng chữ, "
    "hoặc gõ 0 (hay bấm Xong) để về menu."
)
ADDED = "📝 Đã thêm vào câu hỏi số {id}. Bạn gõ tiếp nếu còn, hoặc gõ 0 để về menu."
ALREADY_WAITING = (
    "Bạn đang có câu hỏi số {id} chờ trả lời:\n«{question}»\n\n"
    "Muốn bổ sung thì bạn gõ tiếp bây giờ. Gõ 0 để về menu."
)
ALREADY_ANSWERED = (
    "Câu hỏi số {id} vừa được trả lời rồi nên không bổ sung được nữa. "
    "Gõ /hoicanbo nếu bạn muốn hỏi câu mới."
)
TOO_LONG = "Câu hỏi đã dài quá, cán bộ sẽ khó đọc. Bạn chờ cán bộ trả lời trước nhé."
ANSWER = (
    "💬 {who} đã trả lời câu hỏi số {id} của bạn:\n«{question}»\n\n{answer}\n\n"
    "Câu trả lời có giúp được bạn không?"
)
LAST_ANSWER = "Câu hỏi số {id} của bạn đã được trả lời:\n«{question}»\n\n{answer}\n\n{ask}"
RATE_ASK = "Câu trả lời có giúp được bạn không?"
RATE_UP = "👍 Có"
RATE_DOWN = "👎 Không"
NEW_QUESTION = "✍️ Hỏi câu mới"
THANKS_UP = "Cảm ơn bạn đã cho biết! 🌿 Khi cần, bạn cứ gõ /hoicanbo để hỏi tiếp."
THANKS_DOWN = "Cảm ơn bạn đã cho biết. Bạn có muốn hỏi lại để cán bộ giải thích thêm không?"
THANKS_DOWN_FINAL = (
    "Cảm ơn bạn đã cho biết. Câu này đã được hỏi lại một lần; nếu vẫn chưa rõ, bạn gõ "
    "/hoicanbo để hỏi câu mới, hoặc gặp trực tiếp cán bộ tại nhà văn hoá thôn nhé."
)
REOPEN = "🔁 Hỏi lại"
REOPEN_ASK = "Bạn gõ điều còn chưa rõ, mình gửi lại cho cán bộ cùng với câu hỏi cũ nhé."
REOPENED = "🔁 Đã gửi lại câu hỏi số {id} tới {who}. Cán bộ sẽ trả lời bạn sớm."
RATED = "Bạn đã đánh giá câu trả lời này rồi. Cảm ơn bạn! 🌿"
NOT_YOURS = "Câu hỏi này không còn nữa. Gõ /hoicanbo để hỏi câu mới nhé."
ESCALATED_RESIDENT = (
    "⏳ Câu hỏi số {id} của bạn chưa được trả lời sau 24 giờ nên mình đã chuyển lên cán bộ "
    "xã {commune}. Bạn chờ thêm một chút nhé, mình sẽ báo ngay khi có trả lời."
)
NOT_FOUND_ASK = (
    "Mình chưa tìm được bài nào hợp với câu hỏi này. Bạn có muốn gửi câu hỏi cho cán bộ "
    "(trưởng thôn hoặc cán bộ xã) không? Hoặc xem danh sách bài học."
)
SEND_THIS = "🙋 Gửi câu này cho cán bộ"
SEE_LESSONS = "📚 Xem danh sách bài"
FAQ_FOUND = "💡 Câu hỏi thường gặp: «{question}»\n{answer}"
FAQ_STILL_ASK = "Nếu vẫn chưa rõ, bạn có thể gửi câu hỏi cho cán bộ."
MENU_ASK = "🙋 Hỏi cán bộ"

# --- village heads and staff ---------------------------------------------------------------
HOUSEHOLD = "hộ {head}{code}"
SOMEONE = "Người dân"  # a resident without a display name
NEW_TICKET = (
    "🙋 Câu hỏi số {id} — {name}, {village}, {household}:\n«{question}»\n\n"
    "Trả lời: gõ /traloi {id} rồi nội dung, ví dụ: /traloi {id} Bác vào Cài đặt…\n"
    "Xem các câu đang chờ: /hoidap"
)
ADDED_TICKET = "📝 {name} bổ sung câu hỏi số {id}:\n«{text}»\n\nTrả lời: /traloi {id} …"
REOPENED_TICKET = (
    "🔁 {name} ({village}) hỏi lại câu số {id} vì chưa rõ:\n«{text}»\n\nTrả lời: /traloi {id} …"
)
ESCALATED_TICKET = (
    "⏳ Câu hỏi số {id} chưa được trả lời sau 24 giờ, chuyển lên cán bộ xã.\n"
    "{name}, {village}, {household}:\n«{question}»\n\nTrả lời: /traloi {id} …"
)
QUEUE = "📥 Câu hỏi đang chờ bạn trả lời ({count}, cũ nhất trước). Bạn chọn một câu:"
QUEUE_LINE = "Số {id} · {village} · {age}"
QUEUE_EMPTY = "✅ Không có câu hỏi nào đang chờ bạn trả lời."
AGE_MINUTES = "{n} phút trước"
AGE_HOURS = "{n} giờ trước"
AGE_DAYS = "{n} ngày trước"
SHOW_TICKET = (
    "Câu hỏi số {id} — {name}, {village}, {household} ({age}){escalated}:\n«{question}»\n\n"
    "Bạn gõ câu trả lời (gõ 0 để thôi)."
)
EARLIER_ANSWER = "\n— Đã trả lời: {answer}"  # kept in the question when the resident asks again
ESCALATED_MARK = ", đã chuyển lên xã"
ANSWER_USAGE = (
    "Bạn gõ /traloi, số câu hỏi, rồi nội dung trả lời. Ví dụ: /traloi 12 Bác vào Cài đặt… "
    "Gõ /hoidap để xem các câu đang chờ."
)
NO_SUCH_TICKET = (
    "Không có câu hỏi số {id} trong phạm vi của bạn. Gõ /hoidap để xem các câu đang chờ bạn."
)
ALREADY_DONE = "Câu hỏi số {id} đã được trả lời rồi ({who}). Gõ /hoidap để xem các câu khác."
ANSWER_TOO_SHORT = "Câu trả lời ngắn quá. Bạn gõ rõ hơn giúp người dân nhé."
ANSWER_SENT = "✅ Đã gửi câu trả lời cho câu hỏi số {id}. Cảm ơn bạn!{more}"
ANSWER_SENT_LATER = (
    "✅ Đã lưu câu trả lời cho câu hỏi số {id}. Bây giờ là giờ nghỉ nên người dân sẽ nhận "
    "lúc 7:00 sáng.{more}"
)
MORE_WAITING = " Còn {count} câu đang chờ: /hoidap"
HELPER_HEAD = "Trưởng thôn {village}"
HELPER_STAFF = "Cán bộ xã {commune}"

# --- FAQ (staff) ----------------------------------------------------------------------------
FAQ_USAGE = (
    "Bạn gõ /themfaq và số câu hỏi đã được trả lời, ví dụ: /themfaq 12. "
    "Câu hỏi và trả lời sẽ hiện ra để bạn sửa trước khi lưu."
)
FAQ_NOT_ANSWERED = "Câu hỏi số {id} chưa được trả lời nên chưa thêm vào câu hỏi thường gặp được."
FAQ_DRAFT = (
    "📝 Câu hỏi thường gặp (bản nháp):\n\nHỏi: {question}\n\nĐáp: {answer}\n\n"
    "Bạn bỏ tên người, số điện thoại, địa chỉ trước khi lưu nhé."
)
FAQ_SAVE = "✅ Lưu"
FAQ_EDIT_Q = "✏️ Sửa câu hỏi"
FAQ_EDIT_A = "✏️ Sửa câu trả lời"
FAQ_CANCEL = "Huỷ"
FAQ_ASK_Q = "Bạn gõ câu hỏi mới (ngắn gọn, như người dân hay hỏi)."
FAQ_ASK_A = "Bạn gõ câu trả lời mới."
FAQ_SAVED = "✅ Đã lưu câu hỏi thường gặp số {id}. Người dân hỏi /hoi sẽ thấy câu trả lời này."
FAQ_CANCELLED = "Đã huỷ, chưa lưu gì."
FAQ_GONE = "Bản nháp này không còn. Bạn gõ lại /themfaq và số câu hỏi nhé."
FAQ_TOO_LONG = "Dài quá ({length} ký tự, tối đa {limit}). Bạn rút gọn giúp mình nhé."
