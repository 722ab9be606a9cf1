"""Tokenization: spans that slice the original text back, across scripts, and texts rebuilt from masks."""

from __future__ import annotations

import pytest
import regex
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from lime_core.errors import InputTextError, LimeCoreError
from lime_core.tokenization import Token, TokenizedText, char_tokenizer, get_tokenizer, word_tokenizer

# -- text generators over many scripts ------------------------------------------------------------------------------

SCRIPTS = {
    "latin": "abcdefghijklmnopqrstuvwxyzABCXYZéèêëàâäôöûüçñÉÀßøåæœ",
    "cyrillic": "абвгдеёжзийклмнопрстуфхцчшщъыьэюяЖЩЁ",
    "greek": "αβγδεζηθικλμνξοπρστυφχψωάέήίόύώΩΣ",
    "arabic": "ابتثجحخدذرزسشصضطظعغفقكلمنهوي" + "\u064b\u064e\u064f\u0650\u0651\u0652",  # with harakat
    "hebrew": "אבגדהוזחטיכלמנסעפצקרשת" + "\u05b0\u05b4\u05b7\u05b8\u05bc\u05c1",  # with niqqud
    "devanagari": "कखगघचछजझटठडढणतथदधनपफबभमयरलवशषसह" + "ािीुूेैोौ्ंः",  # with vowel signs and virama
    "thai": "กขคงจฉชซญดตถทนบปผพฟมยรลวสหอฮ" + "ัิีึืุู่้๊๋็์",  # with vowel and tone marks
    "cjk": "我爱北京天安门中文字的一是不了人ひらがなカタカナ",
    "hangul": "안녕하세요한국어",
    "digits": "0123456789٠١٢٣",
    "combining": "aeiou\u0301\u0300\u0308\u0327\u0303",
}
EMOJI = ["😀", "👍🏽", "👨‍👩‍👧", "🏳️‍🌈", "🇫🇷", "❤️", "1️⃣", "🧑🏿‍💻", "🙋‍♀️"]
PUNCTUATION = [*".,;:!?\"()[]-–—…«»¿¡、。「」'’", "...", " - ", "?!"]
WHITESPACE = [" ", "  ", "\t", "\n", "\r\n", "\u00a0", "\u3000", "\u2009", " \t "]

words = st.one_of(*(st.text(alphabet=alphabet, min_size=1, max_size=8) for alphabet in SCRIPTS.values()))
pieces = st.one_of(words, words, words, st.sampled_from(EMOJI), st.sampled_from(PUNCTUATION))


@st.composite
def texts(draw: st.DrawFn) -> str:
    """Words of many scripts, emoji and punctuation, separated by assorted white space (or nothing)."""
    parts = draw(st.lists(pieces, min_size=1, max_size=12))
    seps = draw(st.lists(st.sampled_from([*WHITESPACE, ""]), min_size=len(parts) + 1, max_size=len(parts) + 1))
    out = seps[0]
    for part, sep in zip(parts, seps[1:], strict=True):
        out += part + sep
    return out


ALL_CHARS = "".join(SCRIPTS.values()) + "".join(EMOJI) + "".join(PUNCTUATION) + "".join(WHITESPACE) + "\u200d\ufe0f"
# Character soup: marks without a base, lone ZWJs and modifiers, scripts mixed inside a "word".
soup = st.text(alphabet=ALL_CHARS, min_size=1, max_size=40)
any_text = st.one_of(texts(), soup)

TOKENIZERS = {"words": word_tokenizer(), "chars": char_tokenizer()}
PROPERTY_SETTINGS = settings(max_examples=250, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def texts_of(tokens: list[Token]) -> list[str]:
    return [t.text for t in tokens]


# -- properties -----------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("name", sorted(TOKENIZERS))
@PROPERTY_SETTINGS
@given(text=any_text)
def test_spans_slice_back_in_order_without_overlap_or_whitespace(name: str, text: str) -> None:
    tokens = TOKENIZERS[name].tokenize(text)
    previous_end = 0
    for tok in tokens:
        assert text[tok.start : tok.end] == tok.text
        assert tok.start < tok.end, "empty token"
        assert tok.start >= previous_end, "tokens overlap or are out of order"
        assert not any(c.isspace() for c in tok.text), f"token {tok.text!r} contains white space"
        previous_end = tok.end


@PROPERTY_SETTINGS
@given(text=any_text)
def test_word_tokens_keep_every_letter_digit_and_emoji(text: str) -> None:
    """Nothing meaningful falls into the gaps: only punctuation, symbols and white space do."""
    covered = [False] * len(text)
    for tok in word_tokenizer().tokenize(text):
        covered[tok.start : tok.end] = [True] * (tok.end - tok.start)
    for i, c in enumerate(text):
        if regex.match(r"[\p{L}\p{N}\p{Extended_Pictographic}\p{Regional_Indicator}]", c):
            assert covered[i], f"{c!r} at {i} is in no token of {text!r}"


@PROPERTY_SETTINGS
@given(text=any_text)
def test_word_tokens_never_cut_a_combining_mark_off_a_letter(text: str) -> None:
    for tok in word_tokenizer().tokenize(text):
        if tok.end < len(text) and regex.match(r"\p{L}", text[tok.end - 1]):
            assert not regex.match(r"\p{M}", text[tok.end]), f"{text[tok.end]!r} cut off after {tok.text!r}"


@PROPERTY_SETTINGS
@given(text=any_text)
def test_char_tokens_are_the_grapheme_clusters_of_the_non_space_text(text: str) -> None:
    tokens = char_tokenizer().tokenize(text)
    for tok in tokens:
        assert regex.fullmatch(r"\X", tok.text), f"{tok.text!r} is not one grapheme cluster"
    assert "".join(texts_of(tokens)) == "".join(c for c in text if not c.isspace())


@pytest.mark.parametrize("name", sorted(TOKENIZERS))
@PROPERTY_SETTINGS
@given(text=any_text)
def test_tokenizing_never_raises_anything_but_input_text_error(name: str, text: str) -> None:
    TOKENIZERS[name].tokenize(text)
    has_letter = regex.search(r"\p{L}", text) is not None
    try:
        tokenized = TokenizedText.from_text(text, TOKENIZERS[name])
    except InputTextError:
        assert not has_letter, f"a text with letters was refused: {text!r}"
    else:
        assert tokenized.text == text
        assert len(tokenized.tokens) >= 1


@PROPERTY_SETTINGS
@given(text=any_text)
def test_gaps_and_tokens_interleave_to_the_text(text: str) -> None:
    tokenized = TokenizedText(text, tuple(word_tokenizer().tokenize(text)))
    gaps = tokenized.gaps
    assert len(gaps) == len(tokenized.tokens) + 1
    rebuilt = gaps[0] + "".join(t.text + g for t, g in zip(tokenized.tokens, gaps[1:], strict=True))
    assert rebuilt == text


def _rebuild_by_spans(text: str, tokens: tuple[Token, ...], keep: list[bool], replacement: str) -> str:
    out = text
    for tok, kept in reversed(list(zip(tokens, keep, strict=True))):
        if not kept:
            out = out[: tok.start] + replacement + out[tok.end :]
    return out


@PROPERTY_SETTINGS
@given(data=st.data(), text=texts(), replacement=st.sampled_from(["", "[MASK]", "UNK", "▁"]))
def test_rebuild_replaces_exactly_the_removed_tokens(data: st.DataObject, text: str, replacement: str) -> None:
    try:
        tokenized = TokenizedText.from_text(text)
    except InputTextError:
        return
    n = len(tokenized.tokens)
    rows = data.draw(st.lists(st.lists(st.booleans(), min_size=n, max_size=n), min_size=1, max_size=5))
    rebuilt = tokenized.rebuild(rows, replacement=replacement)
    assert rebuilt == [_rebuild_by_spans(text, tokenized.tokens, row, replacement) for row in rows]
    assert tokenized.rebuild([[True] * n], replacement=replacement) == [text]


# -- specific cases -------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("don't stop", ["don't", "stop"]),
        ("don’t stop", ["don’t", "stop"]),
        ("l'été est là", ["l'été", "est", "là"]),
        ("rock'n'roll", ["rock'n'roll"]),
        ("the dogs' bowls", ["the", "dogs", "bowls"]),
        ("'quoted'", ["quoted"]),
        ("cafe\u0301 noir", ["cafe\u0301", "noir"]),  # decomposed é stays inside the word
        ("Привет, мир!", ["Привет", "мир"]),
        ("Καλημέρα κόσμε", ["Καλημέρα", "κόσμε"]),
        ("مَرْحَبًا بالعالم", ["مَرْحَبًا", "بالعالم"]),
        ("שָׁלוֹם עוֹלָם", ["שָׁלוֹם", "עוֹלָם"]),
        ("नमस्ते दुनिया", ["नमस्ते", "दुनिया"]),
        ("สวัสดีครับ", ["สวัสดีครับ"]),
        ("안녕하세요 세계", ["안녕하세요", "세계"]),
        ("pi is 3.14, not 7,000,000", ["pi", "is", "3.14", "not", "7,000,000"]),
        ("snake_case word", ["snake_case", "word"]),
        ("tab\tsep\r\nline", ["tab", "sep", "line"]),
    ],
)
def test_word_tokens(text: str, expected: list[str]) -> None:
    assert texts_of(word_tokenizer().tokenize(text)) == expected


def test_devanagari_word_keeps_its_vowel_signs_and_virama() -> None:
    (tok,) = word_tokenizer().tokenize("नमस्ते")
    assert (tok.text, tok.start, tok.end) == ("नमस्ते", 0, 6)
    assert "\u094d" in tok.text and "\u0947" in tok.text  # virama and vowel sign e


def test_cjk_is_one_unit_per_ideograph_or_kana() -> None:
    text = "我爱北京，ひらがな。"
    tokens = word_tokenizer().tokenize(text)
    assert texts_of(tokens) == list("我爱北京ひらがな")
    assert [(t.start, t.end) for t in tokens[:4]] == [(0, 1), (1, 2), (2, 3), (3, 4)]


def test_cjk_next_to_latin() -> None:
    assert texts_of(word_tokenizer().tokenize("我爱NLP")) == ["我", "爱", "NLP"]


def test_emoji_are_units_with_modifiers_zwj_sequences_and_flags() -> None:
    text = "I ❤️ NY 👍🏽👨‍👩‍👧🇫🇷 ok😀"
    assert texts_of(word_tokenizer().tokenize(text)) == ["I", "❤️", "NY", "👍🏽", "👨‍👩‍👧", "🇫🇷", "ok", "😀"]


def test_char_tokenizer_yields_grapheme_clusters_without_whitespace() -> None:
    text = "e\u0301 a\tb\r\n👍🏽 👨‍👩‍👧 🇫🇷"
    assert texts_of(char_tokenizer().tokenize(text)) == ["e\u0301", "a", "b", "👍🏽", "👨‍👩‍👧", "🇫🇷"]


def test_char_tokenizer_keeps_devanagari_marks_with_their_letter() -> None:
    tokens = texts_of(char_tokenizer().tokenize("नमस्ते"))
    assert "".join(tokens) == "नमस्ते"
    assert all(not regex.match(r"\p{M}", t) for t in tokens), "a cluster starts with a mark"
    assert len(tokens) < len("नमस्ते")


def test_char_tokens_never_contain_a_space_after_a_prepend_character() -> None:
    tokens = char_tokenizer().tokenize("\u0600 12")
    assert all(not any(c.isspace() for c in t.text) for t in tokens), texts_of(tokens)


# -- refused inputs -------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("text", ["", " ", "   ", "\t\n", "\r\n \u00a0\u3000"])
def test_empty_or_whitespace_text_is_refused_with_a_clear_message(text: str) -> None:
    with pytest.raises(InputTextError, match="empty"):
        TokenizedText.from_text(text)


@pytest.mark.parametrize("text", ["!!!", "... ?! --", "«»—…", "(-_-)", "、。"])
def test_only_punctuation_is_refused(text: str) -> None:
    with pytest.raises(InputTextError, match="no words"):
        TokenizedText.from_text(text)


def test_input_text_error_is_a_value_error_and_a_lime_core_error() -> None:
    with pytest.raises(ValueError) as info:
        TokenizedText.from_text("   ")
    assert isinstance(info.value, LimeCoreError)


def test_non_string_is_refused() -> None:
    with pytest.raises(InputTextError, match="string"):
        TokenizedText.from_text(b"bytes")  # type: ignore[arg-type]


def test_max_chars_is_enforced() -> None:
    assert TokenizedText.from_text("a" * 10, max_chars=10).text == "a" * 10
    with pytest.raises(InputTextError, match=r"11 characters.*limit of 10"):
        TokenizedText.from_text("a" * 11, max_chars=10)


def test_max_chars_counts_code_points_not_bytes() -> None:
    assert TokenizedText.from_text("é" * 10, max_chars=10).tokens[0].text == "é" * 10


def test_unknown_tokenizer_name() -> None:
    assert isinstance(get_tokenizer("words"), type(word_tokenizer()))
    with pytest.raises(ValueError, match="unknown tokenization 'sentences'"):
        get_tokenizer("sentences")


# -- rebuild --------------------------------------------------------------------------------------------------------


def test_rebuild_keeping_everything_reproduces_the_text_exactly() -> None:
    text = "  Héllo,\tworld!\r\nDon't 👍🏽 我爱 — नमस्ते.  "
    tokenized = TokenizedText.from_text(text)
    assert tokenized.rebuild([[True] * len(tokenized.tokens)]) == [text]


def test_rebuild_uses_the_replacement_for_removed_tokens_and_keeps_gaps() -> None:
    tokenized = TokenizedText.from_text("good, not bad!")
    assert texts_of(list(tokenized.tokens)) == ["good", "not", "bad"]
    rows = [[True, False, True], [False, True, False], [False, False, False]]
    assert tokenized.rebuild(rows, replacement="[MASK]") == [
        "good, [MASK] bad!",
        "[MASK], not [MASK]!",
        "[MASK], [MASK] [MASK]!",
    ]
    assert tokenized.rebuild(rows) == ["good,  bad!", ", not !", ",  !"]
