"""What residents and village heads read about their village's place in the commune."""

from __future__ import annotations

RANK = "🏆 {village} đứng thứ {rank}/{ranked} trong xã{tie} (xếp theo tỷ lệ hộ có người học)."
RANK_TIE = ", đồng hạng với {others}"
RANK_TIE_MANY = "{count} thôn khác"
UNRANKED_OTHERS = (
    "({count} thôn chưa khai báo tổng số hộ hoặc có số liệu cần kiểm tra nên chưa được xếp hạng.)"
)
NOT_RANKED_NO_TOTAL = (
    "🏆 {village} chưa được xếp hạng: thôn chưa khai báo tổng số hộ nên chưa tính được tỷ lệ. "
    "Thôn chưa khai báo không bị xếp cuối mà đứng ngoài bảng xếp hạng."
)
NOT_RANKED_CHECK = (
    "🏆 {village} chưa được xếp hạng: số hộ có người học nhiều hơn tổng số hộ đã khai báo, "
    "số liệu cần kiểm tra."
)
HEAD_FIX_TOTAL = " Gõ /sohodan để khai báo tổng số hộ."
NEEDED = "Cần thêm {need} hộ có người học nữa để thôn đạt mục tiêu {target}%."
MET = "🎉 Thôn đã đạt mục tiêu {target}% số hộ có người học!"

# The weekly digest to village heads (bot/scheduling/digest.py).
DIGEST = "📰 Bản tin thứ Hai — {village}\n{rank}\n{new}\n{need}\nGõ /thon để xem chi tiết."
DIGEST_NEW = "Tuần qua: thêm {count} hộ có người học."
DIGEST_NEW_NONE = "Tuần qua: chưa có thêm hộ nào có người học."
DIGEST_FOOTER = "(Không muốn nhận bản tin này? Gõ /bantin để tắt.)"
