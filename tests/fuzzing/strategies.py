"""What users, and forgers, may send: hypothesis strategies for every channel.

An example is one person (new, or one of the last few) taking 1-6 steps. A step is a tuple
(kind, value), printed as is in a falsifying example:

- ("say", text): type a text;
- ("press", n): tap option n (modulo their number) of the last options shown;
- ("old", (back, n)): tap option n of options shown `back` menus ago;
- ("forge", data): a button press carrying forged or oversized callback data;
- ("media", (kind, caption)): a photo, sticker, voice… (what each platform has);
- ("burst", texts): several texts arriving at once;
- ("other", variant): updates that are no message to answer (edits, groups, blocks, redelivery);
- ("raw", (body, secret)): any bytes POSTed to the webhook, with the right, a wrong or no secret;
- ("register", (cohort, village, household)): registering, which may not succeed;
- ("learn", (lesson, wrong, home)): registering in `home` first if needed, then a whole lesson
  and its quiz, answered right or wrong;
- ("forget", keep): asking to delete one's data, and confirming or changing one's mind;
- ("link", (home, person_gives_code)): a new account on another app registers in `home`, then
  the two are linked, the code given by either side;
- ("promote", (role, village)): the person redeems an invite an operator made for them
  (village head of a village, head of a reporting unit, or commune staff), so role commands are
  fuzzed too.

The flows (register to promote) let the random steps that follow start from deep states.
Booleans are the way round that makes False (what hypothesis tries first) the deeper path.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from hypothesis import strategies as st

from bot.web import MAX_BODY

Step = tuple[str, Any]

WORDS = [
    "menu",
    "0",
    "1",
    "2",
    "3",
    "99",
    "/hoc",
    "/tiep",
    "/ketqua",
    "/xoadulieu",
    "/trogiup",
    "/nhacnho",
    "/hoi vneid",
    "/start",
    "/start@hocvuso_test_bot",
    "/HOC",
    "co",
    "khong",
    "dong tam",
    "nguyen van an",
    "/nhanma HVS-AAAA-BBBB",
    "/lienket 123456",
    "/lienket",
    "/thon",
    "/chuahoc",
    "/sohodan 12",
    "/sohodan",
    "/hoctructiep",
    "/nopbaocao",
    "/hanbaocao",
    "/moi",
    "/thongke",
    "/thongke dong tam",
    "/bieudo",
    "/xuatbaocao",
    "/chuanop",
    "/guitin",
    "xin chao",
    "so 2",
    "cau ³",
    "٣",
    "/donvi",
    "/khenthuong",
    "/khenthuong 2026",
    "/bantin",
    "bỏ qua",
    "xong",
    "bốn mươi lăm",
    "quay lại",
]
SPECIAL = [
    "\x00",
    "\u202e",
    "🙂" * 300,
    "'; DROP TABLE users; --",
    " " * 10,
    "",
    "\n\n\t",
    "/",
    "/ ",
    "//hoc",
    "/" + "a" * 5000,
    "<b>đậm</b> *in* _nghiêng_ [liên kết](http://127.0.0.1/)",
    "%s %d {0} {user}",
    "\u200b\u200c\u200d\ufeff",
    "👨‍👩‍👧‍👦🇻🇳👍🏽",
    "ﷺ" * 50,
    "𒐫" * 100,
]
VILLAGES = ["dong tam", "Thôn Tân Tiến", "hoa binh", "thon moi", "quyet thang", "doan ket", "xyz"]
HOUSEHOLDS = [
    "nguyen van an",
    "Trần Thị Bình",
    "DT-003",
    "nguyen van anh",
    "hoang van em",
    "Lò Văn Mới",
    "a",
    "Đinh Công Tráng",
]
# Village and household pairs that register (the ones above may not): several people share a
# household, so one leaving while another qualifies is reached.
HOMES = [
    ("dong tam", "nguyen van an"),
    ("dong tam", "DT-003"),
    ("Thôn Tân Tiến", "Lò Văn Mới"),
    ("thon moi", "Đinh Công Tráng"),
]
LESSONS = [f"L{n:02d}" for n in range(1, 15)]
ROLES = [
    ("village_head", "Thôn Đồng Tâm"),
    ("village_head", "Thôn Mới"),
    ("staff", None),
    ("village_head", "Thôn Tân Tiến"),
    ("unit_head", "Trường THCS Kim Thành"),  # a reporting unit, created when first needed
]

EMOJI = st.lists(
    st.characters(min_codepoint=0x1F300, max_codepoint=0x1FAFF)
    | st.sampled_from(["\u200d", "\ufe0f", "🇻🇳", "🏽", "❤", "👨‍👩‍👧"]),
    min_size=1,
    max_size=30,
).map("".join)
CONTROL = st.text(
    st.characters(categories=["Cc", "Cf", "Cs", "Co", "Zl", "Zp"]) | st.sampled_from(" /0a"),
    min_size=1,
    max_size=40,
)
HUGE = st.text(alphabet=st.characters(codec="utf-8"), min_size=1000, max_size=6000)
COMMANDS = st.from_regex(r"/[a-zA-Zđ_0-9]{1,40}(@[a-z_]{1,20})?( [^\n]{0,20})?", fullmatch=True)
# Numbers as people may type them: any Unicode digits (Arabic-Indic, superscript, circled…),
# and integers too big for any column.
NUMBERS = st.one_of(
    st.text(
        st.characters(categories=["Nd", "No"]) | st.sampled_from("0123456789 .,"),
        min_size=1,
        max_size=6,
    ),
    st.integers(min_value=-(2**70), max_value=2**70).map(str),
)
NUMBER_COMMANDS = ["/sohodan", "/chuahoc", "/lienket", "/thongke", "so", "cau", "/hoi"]
TEXTS = st.one_of(
    NUMBERS,
    st.builds(lambda word, number: f"{word} {number}", st.sampled_from(NUMBER_COMMANDS), NUMBERS),
    st.sampled_from(WORDS),
    st.text(max_size=50),
    EMOJI,
    CONTROL,
    HUGE,
    COMMANDS,
    st.builds(lambda word, tail: word + tail, st.sampled_from(WORDS), st.text(max_size=20)),
    st.sampled_from(SPECIAL),
)
# Platforms send valid Unicode names: no lone surrogates here (texts may carry them, escaped).
NAMES = st.one_of(
    st.just("Dân"),
    st.text(max_size=80),
    EMOJI,
    st.text(st.characters(categories=["Cc", "Cf", "Co", "Zl", "Zp"]), min_size=1, max_size=20),
)

PAYLOAD_LIKE = [
    "lesson:L01",
    "ans:L01:q1:1:0",
    "del:yes",
    "hh:1",
    "hh:new",
    "moi:staff",
    "gt:send",
    "next:L01:99",
    "next:L01:²",
    "lesson:L99",
    "nop:chat:1:2026",
    "consent:yes",
    "cohort:can_bo",
    "village:1",
    "menu:main",
    "track:an_toan",
    "quiz:L01",
    "lop:1",
    "lop:one:1",
    "lop:save",
    "chuahoc:hh:1",
    "chuahoc:dh:1",
    "sohodan:ok:1",
    "dahoc:photo",
    "nop:show:1:2026",
    "hh:pending",
    "hh:none",
    "xuat:csv",
    "remind:off",
    "x" * 65,
]
PAYLOADS = st.one_of(
    st.text(max_size=80),
    st.sampled_from(PAYLOAD_LIKE),
    st.text(min_size=65, max_size=300),
    st.builds(
        lambda prefix, arg: f"{prefix.partition(':')[0]}:{arg}",
        st.sampled_from(PAYLOAD_LIKE),
        st.text(max_size=70),
    ),
)

JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=20),
    lambda children: (
        st.lists(children, max_size=4)
        | st.dictionaries(st.text(max_size=10), children, max_size=4)
    ),
    max_leaves=20,
)
IDS = st.one_of(st.integers(), st.text(max_size=70), JSON)
# Update-shaped JSON: the right keys, with right or wrong values, as a forger would send.
TELEGRAM_USERS = st.one_of(
    JSON,
    st.fixed_dictionaries(
        {"id": IDS, "is_bot": st.one_of(st.booleans(), JSON)},
        optional={"first_name": st.one_of(st.text(max_size=20), JSON)},
    ),
)
TELEGRAM_CHATS = st.one_of(
    JSON,
    st.fixed_dictionaries(
        {"id": IDS, "type": st.one_of(st.sampled_from(["private", "group", "channel"]), JSON)}
    ),
)
TELEGRAM_MESSAGES = st.fixed_dictionaries(
    {"message_id": IDS, "date": IDS},
    optional={
        "from": TELEGRAM_USERS,
        "chat": TELEGRAM_CHATS,
        "text": st.one_of(TEXTS, JSON),
        "photo": JSON,
        "entities": JSON,
    },
)
UPDATES = st.fixed_dictionaries(
    {"update_id": IDS},
    optional={
        "message": st.one_of(JSON, TELEGRAM_MESSAGES),
        "edited_message": st.one_of(JSON, TELEGRAM_MESSAGES),
        "callback_query": st.one_of(
            JSON,
            st.fixed_dictionaries(
                {"id": IDS, "chat_instance": IDS},
                optional={
                    "from": TELEGRAM_USERS,
                    "data": st.one_of(PAYLOADS, JSON),
                    "message": TELEGRAM_MESSAGES,
                },
            ),
        ),
        "my_chat_member": st.one_of(
            JSON,
            st.fixed_dictionaries(
                {},
                optional={
                    "chat": TELEGRAM_CHATS,
                    "from": TELEGRAM_USERS,
                    "date": IDS,
                    "new_chat_member": st.one_of(
                        JSON,
                        st.fixed_dictionaries(
                            {"status": st.sampled_from(["kicked", "member"]), "user": JSON}
                        ),
                    ),
                },
            ),
        ),
    },
)
EVENTS = st.fixed_dictionaries(
    {
        "event_name": st.sampled_from(
            [
                "message.text.received",
                "message.image.received",
                "message.sticker.received",
                "message.unsupported.received",
                "nonsense",
                "",
            ]
        ),
        "message": st.one_of(
            JSON,
            st.fixed_dictionaries(
                {
                    "from": st.one_of(JSON, st.fixed_dictionaries({"id": st.text(max_size=70)})),
                    "chat": st.one_of(JSON, st.fixed_dictionaries({"id": st.text(max_size=70)})),
                    "text": st.one_of(st.text(max_size=300), JSON),
                    "message_id": st.one_of(st.text(max_size=120), JSON),
                }
            ),
        ),
    }
)
ZALO_BODIES = st.one_of(st.fixed_dictionaries({"ok": JSON, "result": EVENTS}), EVENTS)


def _dumps(value: Any) -> bytes:
    return json.dumps(value, ensure_ascii=False).encode("utf-8", "surrogatepass")


def _nested(envelope: str, depth: int, opener: str) -> bytes:
    """An update whose text is `depth` arrays or objects deep (json.loads gives up at ~1,000)."""
    if opener == "[":
        middle = "[" * depth + "1" + "]" * depth
    else:
        middle = '{"a":' * depth + "1" + "}" * depth
    return envelope.replace("@", middle).encode()


TELEGRAM_ENVELOPE = (
    '{"update_id": 1, "message": {"message_id": 1, "date": 0, '
    '"chat": {"id": 1, "type": "private"}, "from": {"id": 1, "is_bot": false, '
    '"first_name": "a"}, "text": @}}'
)
ZALO_ENVELOPE = (
    '{"ok": true, "result": {"event_name": "message.text.received", "message": '
    '{"from": {"id": "u1"}, "chat": {"id": "u1"}, "message_id": "m1", "text": @}}}'
)


def raw_bodies(target: str) -> st.SearchStrategy[bytes]:
    """Bytes a webhook may receive: garbage, any JSON, update-shaped JSON, cut, deep or huge."""
    shaped = (UPDATES if target == "telegram" else ZALO_BODIES).map(_dumps)
    envelope = TELEGRAM_ENVELOPE if target == "telegram" else ZALO_ENVELOPE
    return st.one_of(
        st.binary(max_size=300),
        JSON.map(_dumps),
        shaped,
        shaped.flatmap(lambda body: st.integers(0, len(body)).map(lambda n: body[:n])),
        st.builds(_nested, st.just(envelope), st.integers(1, 3000), st.sampled_from("[{")),
        st.just(b'{"update_id": 1, "padding": "' + b"a" * MAX_BODY + b'"}'),
    )


def media_kinds(target: str) -> list[str]:
    """The non-text messages each platform delivers ("engine": Inbound kinds)."""
    if target == "telegram":
        return ["photo", "sticker", "voice", "location", "document"]
    if target == "zalo":
        return ["image", "sticker", "unsupported"]
    return ["media", "unsupported"]


OTHER = {
    "telegram": ["edited", "group", "group_command", "service", "block", "again"],
    "zalo": ["group", "unknown_event", "no_sender", "again"],
}
WEBHOOK_CHANNELS = ("telegram", "zalo")


# How often each kind of step comes, out of about 100. The flows (register, learn, link) are
# rare: each is several inputs, and it is the random steps that follow them that matter.
WEIGHTS = {
    "say": 34,
    "press": 22,
    "old": 5,
    "forge": 7,
    "media": 6,
    "burst": 3,
    "other": 6,
    "raw": 6,
    "forget": 3,
    "register": 3,
    "learn": 1,
    "link": 1,
    "promote": 1,
}


def step_values(target: str) -> dict[str, st.SearchStrategy[Any]]:
    """What each kind of step carries on a target."""
    values: dict[str, st.SearchStrategy[Any]] = {
        "say": TEXTS,
        "press": st.integers(0, 9),
        "old": st.tuples(st.integers(1, 4), st.integers(0, 9)),
        "forge": PAYLOADS,
        "media": st.tuples(st.sampled_from(media_kinds(target)), st.text(max_size=50)),
        "burst": st.lists(TEXTS, min_size=2, max_size=3).map(tuple),
        "forget": st.booleans(),
        "register": st.tuples(
            st.integers(0, 3), st.sampled_from(VILLAGES), st.sampled_from(HOUSEHOLDS)
        ),
        "learn": st.tuples(st.sampled_from(LESSONS), st.booleans(), st.sampled_from(HOMES)),
        "link": st.tuples(st.sampled_from(HOMES), st.booleans()),
        "promote": st.sampled_from(ROLES),
    }
    if target in WEBHOOK_CHANNELS:
        values["other"] = st.sampled_from(OTHER[target])
        secrets = st.sampled_from(["ok", "ok", "wrong", "none"])
        values["raw"] = st.tuples(raw_bodies(target), secrets)
    return values


def steps(target: str) -> st.SearchStrategy[Step]:
    """One step of a person: through the engine, or a webhook channel's real adapter.

    Typing and tapping are the most frequent; webhook channels add their own updates and bodies.
    A step shrinks towards typing (the first kind).
    """
    values = step_values(target)
    kinds = [name for name, weight in WEIGHTS.items() if name in values for _ in range(weight)]
    return st.sampled_from(kinds).flatmap(
        lambda name: values[name].map(lambda value: (name, value))
    )


@dataclass(frozen=True)
class Example:
    """One person's turn: `who` < 12 is a new person, 12-14 one of the last three (continuing)."""

    who: int
    name: str
    steps: list[Step]


def examples(target: str) -> st.SearchStrategy[Example]:
    """Examples for a target ("engine", "telegram", "zalo"): who, their name, 1-6 steps."""
    return st.builds(
        Example,
        who=st.integers(0, 14),
        name=NAMES,
        steps=st.lists(steps(target), min_size=1, max_size=6),
    )
