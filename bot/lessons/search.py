"""Question search: find the lesson a typed question is about, or say that none fits.

Method. Each lesson is indexed twice with BM25 (the `bm25s` library): once over its title and
keywords (a short field that adds half its score) and once over everything a resident reads
(title, keywords, cards, quiz questions, right answers and explanations). Terms are syllables
and pairs of adjacent syllables (Vietnamese words are mostly two syllables, so a pair is closer
to a word than a syllable is), always whole: "an" never matches inside "an toàn" or "ẩn".

Text and titles are indexed folded (no diacritics) and as written; keywords, which authors
write folded, are their own terms, each counted once per lesson (a word repeated across
keywords is not more of the topic), with abbreviations also spelt out ("the bhyt" is "the bao
hiem y te" too, as a question's "bhyt" is). A question mostly typed with diacritics is matched
on the written form, so "mất" and "mặt" differ; one typed without them on the folded form, so
"mat" finds both. Before that, a table turns teencode and common slips into words (ko → không,
vnied → vneid), two fragments that only make sense together are joined ("za lo" → "zalo"), and
an unknown word that is not a well-formed Vietnamese syllable, with two letters swapped or one
left out, is corrected to the indexed syllable it was meant to be ("dein" → "dien", "vdeo" →
"video", "trúg" → "trung"); a well-formed one ("gái", "nhìn") is a word no lesson has. Question
words ("là gì", "thế nào") are dropped, except, without diacritics, those that fold like a
keyword ("vay" of "app vay").

A lesson's score is its BM25 score times the square of how much of the question it covers (the
share of the question's words, weighted by rarity, that the lesson has), so one frequent word
such as "zalo" cannot outweigh the rest of the question; a question that contains one of a
lesson's keywords of several words, word for word, doubles its score. Lessons covering less
than 60% are left out, and the answer is trusted only if the question names some lesson's
topic, which is what its title and keywords declare: all the words of one of its keywords
(in any order), a word that is a whole keyword of few lessons, or two adjacent words that few
lessons have and this one states (in its title or keywords, or twice in its text: a pair met
once, in an example such as "lịch tiêm phòng cho trẻ", is not its topic; nor two words that
are question words when written, such as "cho con", even typed without diacritics like a
keyword's "facebook cho con"). Words the lesson merely shares with the question ("điện
thoại", "tài khoản") name nothing, so a topic no lesson covers gets nothing, and the caller
says so with a way forward.

Naming a topic is not enough for a question that asks for a fact (a time, an amount): the
lesson must also state a fact of that kind about it (`bot.lessons.facts`), so "Khi nào được
nhận lương hưu?" gets nothing rather than the bank-account lesson.

Why BM25 from bm25s and not SQLite FTS5: the curriculum is frozen and small, so an index in
memory built once at start-up costs nothing and works the same on SQLite and PostgreSQL
deployments (FTS5 would tie search to one backend); bm25s is maintained, depends only on
numpy, and scores any list of terms we give it, which the two term forms and the coverage rule
need. FTS5's tokenizers know nothing of Vietnamese diacritics as meaning either.
"""

from __future__ import annotations

import logging
import math
import re
import unicodedata
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import bm25s
from rapidfuzz.distance import OSA, Levenshtein

from bot.lessons.facts import kinds_asked, kinds_given, statements
from bot.lessons.model import Lesson
from bot.text import clean, fold

_WORD = re.compile(r"\w+")
_DIGITS = re.compile(r"\d+|[^\W\d_]+")
_SENTENCE = re.compile(r"[\n;:!?()\"“”]+|\.(?!\w)")
# A well-formed Vietnamese syllable, folded: initial, vowels, final. "dein", "snih", "trúg" and
# "vdeo" are not, so they are slips to correct; "gai" (gái) and "nhin" (nhìn) are words.
_SYLLABLE = re.compile(
    r"(ngh|ng|nh|ch|gh|gi|kh|ph|qu|th|tr|[bcdghklmnprstvx])?"
    r"(oai|oay|oao|oeo|uay|uoi|uou|uya|uye|uyu|ieu|yeu|"
    r"ai|ao|au|ay|eo|eu|ia|ie|iu|oa|oe|oi|oo|ua|ue|ui|uo|uu|uy|ya|ye|[aeiouy])"
    r"(ch|ng|nh|[cmnpt])?"
)
# Parts of web addresses that say nothing about a lesson ("dichvucong.gov.vn").
NOISE = frozenset({"gov", "vn", "com", "net", "www", "http", "https", "org"})
TITLE_WEIGHT = 0.5  # the title-and-keywords field adds half its score to the whole text
MIN_COVERAGE = 0.6  # below this share of the question, nothing fits
ACCENT_SHARE = 0.5  # a question is "typed with diacritics" when this share of words has them
UNKNOWN_WEIGHT = 2.0  # the rarity given to a word no lesson has (a common word has about 1)
EXPONENT = 2  # how strongly covering more of the question counts
DISTINCTIVE = 0.1  # a word in at most this share of lessons (or two) names a topic
PHRASE_BONUS = 1.0
CAP = 99.0  # how much a whole keyword of several words in the question adds
ANSWER_SHARE = 0.2  # a statement that gives the fact asked for holds this share of the question

# Teencode and common misspellings, folded, mapped to the words they stand for.
NORMALISE: dict[str, str] = {
    "ko": "không",
    "k": "không",
    "kg": "không",
    "kh": "không",
    "hok": "không",
    "hem": "không",
    "dc": "được",
    "dk": "đăng ký",
    "dky": "đăng ký",
    "j": "gì",
    "ji": "gì",
    "vs": "với",
    "ntn": "như thế nào",
    "z": "vậy",
    "v": "vậy",
    "ak": "à",
    "bg": "bao giờ",
    "a": "à",
    "bj": "bị",  # j stands for i in teencode: "bj lừa" is "bị lừa"
    "bh": "bây giờ",
    "lm": "làm",
    "r": "rồi",
    "ng": "người",
    "ns": "nói",
    "cx": "cũng",
    "trc": "trước",
    "bit": "biết",
    "bik": "biết",
    "ck": "chuyển khoản",
    "tk": "tài khoản",
    "dt": "điện thoại",
    "sdt": "số điện thoại",
    "dthoai": "điện thoại",
    "tr": "triệu",
    "cmnd": "căn cước",
    "bhyt": "bảo hiểm y tế",
    "bhxh": "bảo hiểm xã hội",
    "dvc": "dịch vụ công",
    "onl": "online",
    "pass": "mật khẩu",
    "vnied": "vneid",
    "vneld": "vneid",
    "vnid": "vneid",
    "vnedi": "vneid",
    "vnneid": "vneid",
    "dalo": "zalo",
    "zalô": "zalo",
    "qrcode": "mã qr",
    "chatgbt": "chatgpt",
}
# Entries of the table that stand for several words: keywords are spelt out with them too.
ABBREVIATIONS = {k: v for k, v in NORMALISE.items() if " " in v}
# Folded question words that say nothing about the topic (phrases first, longest first).
STOP_PHRASES = (
    "nhu the nao",
    "huong dan",  # "hướng dẫn" asks for help, like "cách"
    "co duoc khong",
    "duoc khong",
    "the nao",
    "lam sao",
    "la gi",
    "o dau",
    "bao nhieu",
    "bao gio",
    "bay gio",
    "hom nay",
)
_STOP_TEXT = (
    "là gì thì có không được tôi mình làm sao thế nào như ở đâu của cho và với vậy à nhé ơi "
    "rồi phải nên muốn cần khi này đó đến từ một các những ra vào đi mà thôi hay hỏi giúp "
    "em anh chị ông bà cháu con cụ dùng đúng biết để qua trên bằng trong về kiểu cách"
)
STOP_WRITTEN = frozenset(_STOP_TEXT.split())
STOP_WORDS = frozenset(fold(w) for w in STOP_WRITTEN)


def _words(text: str) -> list[str]:
    """Split text into lower-case words as written (NFC): "mức2" is "mức 2", "10tr" is "10 tr"."""
    text = unicodedata.normalize("NFC", clean(text).lower())
    return [part for word in _WORD.findall(text) for part in _DIGITS.findall(word)]


# Words that say a question is about artificial intelligence, beside "ai".
AI_WORDS = re.compile(
    r"\b(chat ?gpt|gemini|chatbot|tri tue nhan tao|tro ly ao|robot|ai la (gi|j|cai gi))\b"
)


def _means_ai(question: str) -> bool:
    """Tell whether "ai" in a question is AI rather than "who" ("ai có thể giúp tôi"): written
    "AI", or beside another word of the topic."""
    return re.search(r"\bAI\b", question) is not None or bool(AI_WORDS.search(fold(question)))


def _has_marks(word: str) -> bool:
    """Tell whether a word carries Vietnamese diacritics (đ counts)."""
    return fold(word) != word


def _terms(words: Sequence[str], prefix: str) -> list[str]:
    """Turn words into syllable and pair terms: written ("a:") or folded ("f:", "k:")."""
    forms = [w if prefix == "a:" else fold(w) for w in words]
    forms = [w for w in forms if w and fold(w) not in NOISE]
    out = [prefix + w for w in forms]
    out += [f"{prefix}{a} {b}" for a, b in zip(forms, forms[1:], strict=False)]
    return out


def _doc_terms(chunks: Iterable[str], prefixes: Sequence[str] = ("f:", "a:")) -> list[str]:
    """Index terms of a text made of chunks (a pair never spans two sentences)."""
    out: list[str] = []
    for chunk in chunks:
        for line in _SENTENCE.split(chunk):
            words = _words(line)
            for prefix in prefixes:
                out += _terms(words, prefix)
    return out


def _keyword_terms(lesson: Lesson) -> list[str]:
    """Index terms of a lesson's keywords, which authors write folded and match folded.

    Each term counts once: a word repeated across keywords ("binh dan hoc vu so" in five of
    them) is not more of the lesson's topic for it. Abbreviations are spelt out as they are in
    questions ("the bhyt" is also "the bao hiem y te").
    """
    return list(dict.fromkeys(_doc_terms(_keywords(lesson), ("k:",))))


def _keywords(lesson: Lesson) -> list[str]:
    """A lesson's keywords, and those with an abbreviation spelt out."""
    out = list(lesson.keywords)
    for keyword in lesson.keywords:
        words = [fold(w) for w in _words(keyword)]
        spelt = [fold(ABBREVIATIONS.get(w, w)) for w in words]
        if spelt != words:
            out.append(" ".join(spelt))
    return out


@dataclass(frozen=True, slots=True)
class Hit:
    """A lesson found for a question, with its score and how much of the question it covers."""

    lesson: Lesson
    score: float
    coverage: float


class LessonIndex:
    """BM25 indexes over a frozen curriculum, built once; `find` answers a question."""

    def __init__(self, lessons: Sequence[Lesson]) -> None:
        self.lessons = tuple(lessons)
        keywords = [_keyword_terms(x) for x in self.lessons]
        heads = [_doc_terms([x.title]) + k for x, k in zip(self.lessons, keywords, strict=True)]
        bodies = [_doc_terms(_texts(x)) + k for x, k in zip(self.lessons, keywords, strict=True)]
        self._head = _bm25(heads)
        self._body = _bm25(bodies)
        self._sets = [set(b) for b in bodies]
        self._heads = [set(h) for h in heads]
        self._counts = [Counter(b) for b in bodies]
        # How many lessons state a term in their title or keywords (their declared topics).
        self._hdf: Counter[str] = Counter(t for terms in self._heads for t in terms)
        self._whole = [{"k:" + fold(k) for k in _keywords(x)} for x in self.lessons]
        # Whole keyword phrases, folded: a question that contains one is about that lesson.
        self._phrases: dict[tuple[str, ...], set[int]] = {}
        for i, lesson in enumerate(self.lessons):
            for keyword in _keywords(lesson):
                phrase = tuple(fold(w) for w in _words(keyword) if fold(w) not in NOISE)
                if phrase:
                    self._phrases.setdefault(phrase, set()).add(i)
        self._longest = max((len(p) for p in self._phrases), default=0)
        # A keyword of several words is also named by a question that has all its words. Each
        # is filed under its rarest word: a question checks only the keywords it may contain.
        spread = Counter(w for phrase in self._phrases for w in set(phrase))
        self._keysets: dict[str, list[tuple[int, frozenset[str]]]] = {}
        for phrase, owners in self._phrases.items():
            if len(phrase) >= 2:
                rarest = min(phrase, key=lambda w: (spread[w], w))
                bag = frozenset(phrase)
                self._keysets.setdefault(rarest, []).extend((i, bag) for i in sorted(owners))
        self._df: Counter[str] = Counter(t for terms in self._sets for t in terms)
        self._rare = max(2, round(DISTINCTIVE * len(self.lessons)))
        # Keywords are the words lessons are about: a question word folded like one of them
        # ("vậy" and "vay" of "app vay tiền") is kept in questions typed without diacritics.
        in_keywords = {t[2:] for t in self._df if t.startswith("k:") and " " not in t}
        self._folded_stops = STOP_WORDS - in_keywords
        syllables = Counter(
            {t[2:]: n for t, n in self._df.items() if t[:2] in ("f:", "k:") and " " not in t}
        )
        # Most frequent first, so that a typo close to two syllables means the common one.
        self._syllables = [w for w, _ in sorted(syllables.items(), key=lambda x: (-x[1], x[0]))]
        # What each lesson tells as a fact: the terms of a statement, and what kind it gives.
        self._facts = [
            [
                (frozenset(_doc_terms([about])), kinds)
                for about, told in statements(x)
                if (kinds := kinds_given(told))
            ]
            for x in self.lessons
        ]

    def _is_stop(self, word: str, accented: bool) -> bool:
        """Tell whether a word is a question word or part of a web address.

        In a question typed with diacritics words are compared as written ("tử" is not "từ",
        "cho" is "cho" and not "chó"). One typed
        without them is a question word only if no lesson has it among its keywords: "vay" may
        be "vậy" but also "vay" (a loan), so it is kept.
        """
        key = fold(word)
        if key in NOISE:
            return True
        if accented or _has_marks(word):
            return word in STOP_WRITTEN
        return key in self._folded_stops

    def _idf(self, term: str) -> float:
        """Return how rare a term is across lessons.

        A word no lesson has says little about which lesson is meant ("kiểu", "cần thiết"),
        so it weighs like a common word: enough that a question made of unknown words finds
        nothing, not so much that one of them sinks a question the lessons do answer.
        """
        n = len(self.lessons)
        df = self._df.get(term, 0)
        return math.log(1 + (n + 0.5) / (df + 0.5)) if df else UNKNOWN_WEIGHT

    def normalise(self, question: str) -> tuple[list[str], bool]:
        """Turn a question into words (teencode expanded, fragments joined, typos fixed)."""
        raw = _words(question)
        if "ai" in raw and not _means_ai(question):
            raw = ["ai_ai" if w == "ai" else w for w in raw]  # "who": names no lesson
        expanded: list[str] = []
        for word in raw:
            key = fold(word)
            if key in NORMALISE and word.replace("đ", "d") == key:
                expanded += NORMALISE[key].split()
            else:
                expanded.append(word)
        marked = [w for w in raw if not w.isdigit()]
        accented = bool(marked) and (
            sum(_has_marks(w) for w in marked) / len(marked) >= ACCENT_SHARE
        )
        return self._repair(expanded), accented

    def _known(self, word: str) -> bool:
        """Tell whether a word (folded) is a syllable of some lesson."""
        return f"f:{fold(word)}" in self._df or f"k:{fold(word)}" in self._df

    def _repair(self, words: list[str]) -> list[str]:
        """Join fragments that form a known word and fix swapped letters in unknown words."""
        out: list[str] = []
        i = 0
        while i < len(words):
            word = words[i]
            if i + 1 < len(words):
                joined = fold(word) + fold(words[i + 1])
                pieces_known = self._known(word) and self._known(words[i + 1])
                if not pieces_known and self._known(joined) and len(joined) >= 4:
                    out.append(joined)
                    i += 2
                    continue
            # A well-formed syllable is a real word, even one no lesson has ("gái", "nhìn").
            known = self._known(word) or _SYLLABLE.fullmatch(fold(word)) is not None
            out.append(word if known else self._correct(word))
            i += 1
        return out

    def _correct(self, word: str) -> str:
        """Return the indexed syllable an unknown word was meant to be, or the word itself."""
        key = fold(word)
        if len(key) < 3 or key.isdigit():
            return word
        limit = 1 if len(key) < 8 else 2
        for known in self._syllables:
            if abs(len(known) - len(key)) > limit:
                continue
            if OSA.distance(key, known, score_cutoff=limit) > limit:
                continue
            # Short syllables change meaning with one substituted letter; accept a swap of two
            # letters or one letter left out ("vdeo", "hàg") only.
            swapped = len(key) >= 4 and Levenshtein.distance(key, known) == 2
            if limit == 1 and not (swapped or len(known) == len(key) + 1):
                continue
            return known
        return word

    def _word_terms(self, word: str, accented: bool) -> tuple[str, str]:
        """The terms a question word matches: as typed (or folded) and as a keyword.

        A word typed with diacritics that no lesson has is matched without them (a slip of
        the tone mark), unless that folds it into a question word: "chó" is not "cho".
        """
        if accented and f"a:{word}" not in self._df and fold(word) in STOP_WORDS:
            return f"a:{word}", f"a:{word}"
        written = f"a:{word}" if accented and f"a:{word}" in self._df else f"f:{fold(word)}"
        return written, f"k:{fold(word)}"

    def _pair_terms(self, words: list[str], accented: bool, both: bool = False) -> list[str]:
        """The pair terms of a question: adjacent words of which one (or both) says something."""
        out = []
        for a, b in zip(words, words[1:], strict=False):
            stops = self._is_stop(a, accented) + self._is_stop(b, accented)
            if stops > (0 if both else 1):
                continue
            # Two words that are question words when written ("cho con", "cho vay" typed
            # without diacritics) are kept as possible keywords, but alone they name nothing.
            if both and fold(a) in STOP_WORDS and fold(b) in STOP_WORDS:
                continue
            written = f"a:{a} {b}" if accented else f"f:{fold(a)} {fold(b)}"
            out += [written, f"k:{fold(a)} {fold(b)}"]
        return out

    def _pair_names(self, pair: str, lesson: int) -> bool:
        """Tell whether two adjacent words of the question name the lesson's topic.

        They do when few lessons have them ("điện thoại" names none) and the lesson states
        them: in its title or keywords, or at least twice in its text (a pair met once, in an
        example, is not what the lesson is about).
        """
        if self._df.get(pair, 0) > self._rare:
            return False
        return pair in self._heads[lesson] or self._counts[lesson][pair] >= 2

    def _distinctive(self, terms: tuple[str, str], lesson: int) -> bool:
        """Tell whether a word names the lesson's topic: a whole keyword of it that few lessons
        declare (in their title or keywords). A syllable of a title names nothing alone: "thân"
        of "người thân" is not the topic of a question about "độc thân"."""
        written, keyword = terms
        if keyword not in self._whole[lesson]:
            return False
        return max(self._hdf.get(written, 0), self._hdf.get(keyword, 0)) <= self._rare

    def _tells(
        self, lesson: int, asked: frozenset[str], unigrams: dict[str, tuple[str, str]]
    ) -> bool:
        """Tell whether the lesson states a fact of a kind asked, about what the question asks.

        One of its statements must give that kind of fact (a time, a sum, a number, a case) and
        hold at least ANSWER_SHARE of the question's words, weighted by rarity as for coverage:
        the number that answers "how much" sits beside the words it is about. "Người trên 80
        tuổi… được trả tận nhà" does not say how much a pension rises, nor "hằng tháng" when
        one starts.
        """
        weights = {w: min(self._idf(w), self._idf(k)) for w, k in unigrams.values()}
        total = sum(weights.values())
        for terms, kinds in self._facts[lesson]:
            if asked & kinds:
                held = sum(weight for term, weight in weights.items() if term in terms)
                if held >= ANSWER_SHARE * total:
                    return True
        return False

    def _phrase_hits(self, words: list[str]) -> dict[int, int]:
        """Lessons one of whose whole keywords the question contains, with its length in words."""
        folded = [fold(w) for w in words]
        found: dict[int, int] = {}
        for start in range(len(folded)):
            for size in range(1, min(self._longest, len(folded) - start) + 1):
                for i in self._phrases.get(tuple(folded[start : start + size]), ()):
                    found[i] = max(found.get(i, 0), size)
        return found

    def find(self, question: str, limit: int = 3) -> list[Hit]:
        """Return up to `limit` lessons that fit the question, best first (empty: none fits)."""
        words, accented = self.normalise(question)
        asked = kinds_asked(words, accented)
        phrases = self._phrase_hits(words)
        bag = {fold(w) for w in words}
        keyed = {i for w in bag for i, keyword in self._keysets.get(w, ()) if keyword <= bag}
        words = _drop_stop_phrases(words)
        content = list(dict.fromkeys(w for w in words if not self._is_stop(w, accented)))
        if not content:
            return []
        unigrams = {w: self._word_terms(w, accented) for w in content}
        pairs = self._pair_terms(words, accented)
        # Only two words that both say something make a pair strong enough to trust alone.
        strong = self._pair_terms(words, accented, both=True)
        query = [t for terms in unigrams.values() for t in terms] + pairs
        query = [t for t in query if t in self._df]
        if not query:
            return []
        head = self._head.get_scores(query)
        body = self._body.get_scores(query)
        hits = []
        confident = False
        for i, lesson in enumerate(self.lessons):
            terms = self._sets[i]
            total = found = 0.0
            for written, keyword in unigrams.values():
                weight = min(self._idf(written), self._idf(keyword))
                total += weight
                found += weight if written in terms or keyword in terms else 0.0
            coverage = found / total
            score = (TITLE_WEIGHT * float(head[i]) + float(body[i])) * coverage**EXPONENT
            if coverage < MIN_COVERAGE or score <= 0:
                continue
            # A question after a fact (when, how much) fits only a lesson that states one.
            if asked and not self._tells(i, asked, unigrams):
                continue
            # A whole keyword of several words in the question says what it is about.
            score *= 1 + PHRASE_BONUS * (phrases.get(i, 0) >= 2)
            hits.append(Hit(lesson, score, coverage))
            paired = len(content) == 1 or any(self._pair_names(p, i) for p in strong)
            named = any(self._distinctive(u, i) for u in unigrams.values())
            confident |= paired or named or i in keyed
        if not confident:
            return []
        hits.sort(key=lambda h: (-h.score, h.lesson.order))
        return hits[:limit]


def _drop_stop_phrases(words: list[str]) -> list[str]:
    """Drop question phrases such as "như thế nào" that say nothing about the topic."""
    folded = [fold(w) for w in words]
    keep = [True] * len(words)
    for phrase in STOP_PHRASES:
        size = len(phrase.split())
        for i in range(len(words) - size + 1):
            if " ".join(folded[i : i + size]) == phrase:
                keep[i : i + size] = [False] * size
    return [w for w, k in zip(words, keep, strict=True) if k]


def _texts(lesson: Lesson) -> list[str]:
    """Everything a resident reads in a lesson, as separate chunks."""
    chunks = [lesson.title]
    chunks += [card.text for card in lesson.cards]
    for q in lesson.questions:
        chunks += [q.text, q.answer_text, q.explanation]
    return chunks


def _bm25(corpus: list[list[str]]) -> bm25s.BM25:
    """Build one BM25 index over tokenised documents."""
    # bm25s logs each index it builds; that is start-up noise, not news for the operator.
    logging.getLogger("bm25s").setLevel(logging.WARNING)
    index = bm25s.BM25(k1=1.2, b=0.75)
    index.index(corpus, show_progress=False)
    return index
