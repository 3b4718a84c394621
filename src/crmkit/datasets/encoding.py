"""Which encoding a text file is saved in, decided only when the answer is certain.

The bytes of a file do not name their encoding, and the same bytes can be valid
text in several: `色` saved as GB18030 is C9 AB, which is also valid UTF-8 for
`ɫ`. Reading must never silently give different text, so a file is decoded
automatically only when one reading is certain; otherwise it is refused with the
row as each candidate reads it and how to choose (`encoding=`, `--encoding`).
Bytes are always decoded strictly, never with replacement characters.

What "certain" means here:
- a byte-order mark: UTF-8 (Excel's "CSV UTF-8") or UTF-16 ("Unicode Text");
  pure ASCII reads the same in every candidate;
- otherwise three readings compete, and each must decode and look like text:
  UTF-8, unless it holds characters no data file holds (control codes, IPA
  letters, unassigned or private code points, an accent on nothing);
  GB18030 (a superset of GBK, what Chinese Excel saves), when every non-ASCII
  character is a CJK ideograph, CJK punctuation or a full-width form and at
  least 9 in 10 are in GB2312, the common set (UTF-8 or Latin text read as GBK
  turns into rare GBK-only ideographs);
  Windows-1252 (Western European), when accented letters stand alone or in
  pairs; it is never chosen automatically (Latin-1, Windows-1250 and others
  read the same bytes differently), only offered.
  If only UTF-8 or only GB18030 looks like text, it is used.
- UTF-8 and GB18030 can both look like text: every accented letter in UTF-8
  reads as one GB2312 ideograph (`Café` and `Caf茅` are the same bytes), and
  about one GB2312 character in ten, saved as GB18030, is also clean UTF-8
  (`写` is `д`). A GB18030 file passes for UTF-8 only if every one of its
  Chinese characters is such a coincidence, so UTF-8 is taken when the file's
  distinct non-ASCII characters add up to `STRONG_EVIDENCE` UTF-8 continuation
  bytes: a Chinese character counts 2, a two-byte letter 1, or 3 inside a word
  with ASCII letters (`Müller`; Chinese text seldom puts one ideograph between
  Latin letters), or 0 beside a letter of another alphabet (misread GBK mixes
  alphabets, words do not). A GB18030 file needs six or more coincidences to
  pass: about one in a million for the smallest such file, far less for real
  ones. With less evidence (a file whose only accent is the é of `Café`) the
  file is refused.
Not covered: Big5 (Traditional Chinese) text is also valid GB18030; it is
refused whenever its GB18030 reading holds kana, Greek or private-use
characters, which happens for most Big5 files, but not all.
"""

from __future__ import annotations

import codecs
import re
import unicodedata
from collections import Counter
from typing import NoReturn

from crmkit.errors import CrmkitError, DataValidationError, Problem

SAVE_AS_CSV = "in Excel use File > Save As > 'CSV UTF-8 (comma delimited)'"
STRONG_EVIDENCE = 6
AUTO = "auto"
# Encodings offered when a file is refused, with what each is.
CANDIDATES = {
    "utf-8": "UTF-8",
    "gb18030": "GBK/GB18030, Simplified Chinese",
    "big5": "Big5, Traditional Chinese",
    "cp1252": "Windows-1252, Western European",
}
EXAMPLES = "utf-8, gb18030, gbk, big5, cp1252, utf-16"
MAGIC = {
    b"PK\x03\x04": "an Excel workbook (.xlsx) or another zip file",
    b"\xd0\xcf\x11\xe0": "an old Excel workbook (.xls)",
    b"\x89PNG": "a PNG image",
    b"\xff\xd8\xff": "a JPEG image",
    b"GIF8": "a GIF image",
    b"%PDF": "a PDF document",
}
# Bytes no text file holds (tab, line ends and the DOS end-of-file 0x1a aside) map to 0.
_BINARY = {*range(0x00, 0x09), 0x0B, *range(0x0E, 0x1A), *range(0x1B, 0x20), 0x7F}
_CONTROL = bytes(0 if b in _BINARY else b for b in range(256))
_NON_ASCII = re.compile(r"[^\x00-\x7f]+")
_NON_ASCII_BYTE = re.compile(rb"[\x80-\xff]")
_CELL_END = ',;\t|"'
# Non-ideographs that Chinese text commonly holds (all in GB2312 but the en dash and bullet).
_CHINESE_SIGNS = set("·—–―‘’“”…‖•※№℃°±×÷¥€§")


def encoding_name(encoding: str | None) -> str | None:
    """The codec's canonical name, or None for automatic; an unknown name is a usage error."""
    if encoding is None or encoding.strip().lower() == AUTO:
        return None
    try:
        b"a".decode(encoding, errors="ignore")  # a name for bytes <-> bytes raises too
        return codecs.lookup(encoding).name
    except LookupError:
        raise CrmkitError(
            f"unknown encoding '{encoding}'; use one of {EXAMPLES}, or leave it out "
            "to let crmkit tell"
        ) from None


def decode(data: bytes, name: str, encoding: str | None = None) -> tuple[str, str, list[str]]:
    """(text, encoding used, notes) of a text file's bytes; DataValidationError if the
    bytes are not text, do not fit the given encoding, or fit no encoding for certain."""
    encoding = encoding_name(encoding)
    _check_not_binary(data, name, check_controls=encoding is None or _ascii_based(encoding))
    if encoding is not None:
        return _decode_as(data, name, encoding)
    return (*_detect(data, name), [])


# ---------------------------------------------------------------- not text at all


def _check_not_binary(data: bytes, name: str, *, check_controls: bool) -> None:
    for magic, what in MAGIC.items():
        if data.startswith(magic):
            hint = (
                "rename it to .xlsx, or " + SAVE_AS_CSV
                if magic == b"PK\x03\x04"
                else "save the table as CSV"
            )
            _fail(name, f"this is not a CSV text file: it looks like {what}; {hint}")
    if not check_controls or data[:2] in (b"\xff\xfe", b"\xfe\xff"):
        return
    control = data.translate(_CONTROL).find(0)
    if control >= 0:
        _fail(
            name,
            f"this is not a CSV text file: it contains binary data (byte 0x{data[control]:02x} "
            f"in row {_row(data, control)}); save the table as CSV",
        )


def _ascii_based(encoding: str) -> bool:
    """Whether the encoding writes ASCII as ASCII bytes (UTF-16 and ISO-2022 do not)."""
    try:
        return bytes(range(0x20, 0x7F)).decode(encoding) == "".join(map(chr, range(0x20, 0x7F)))
    except UnicodeDecodeError:
        return False


# ---------------------------------------------------------------- given encoding


def _decode_as(data: bytes, name: str, encoding: str) -> tuple[str, str, list[str]]:
    """Decode strictly with the encoding asked for; a byte that does not fit is a problem."""
    codec, skip = encoding, 0
    if encoding in ("utf-8", "utf-8-sig"):
        skip = len(codecs.BOM_UTF8) if data.startswith(codecs.BOM_UTF8) else 0
        codec, encoding = "utf-8", "utf-8-sig" if skip else "utf-8"
    try:
        text = data[skip:].decode(codec)
    except UnicodeDecodeError as err:
        position = err.start + skip
        guess = _certain_or_none(data, name)
        hint = (
            f'it reads as {guess}: pass encoding="{guess}" (on the command line: '
            f"--encoding {guess})"
            if guess and guess != encoding
            else "pass the right one, or leave the encoding out to let crmkit tell"
        )
        _fail(
            name,
            f"is not {encoding} text (byte 0x{data[position]:02x} in this row does not fit "
            f"it); the file is saved in another encoding: {hint}",
            _row(data, position, encoding),
        )
    if "\x00" in text:
        _fail(name, "this is not a CSV text file: it contains binary data; save the table as CSV")
    notes = []
    guess = _certain_or_none(data, name)
    if guess and guess != encoding and _read(data, guess) != text:
        notes.append(
            f"read as {encoding} as asked, though the file looks like {guess}; "
            "check that the text reads right"
        )
    return text, encoding, notes


def _certain_or_none(data: bytes, name: str) -> str | None:
    """The encoding automatic reading would use, or None if it would refuse."""
    try:
        _check_not_binary(data, name, check_controls=True)
        return _detect(data, name)[1]
    except DataValidationError:
        return None


def _read(data: bytes, encoding: str) -> str | None:
    try:
        return data.decode(encoding)
    except UnicodeDecodeError:
        return None


# ---------------------------------------------------------------- automatic


def _detect(data: bytes, name: str) -> tuple[str, str]:
    """(text, encoding) when exactly one reading is certain (see the module docstring)."""
    if data[:2] in (b"\xff\xfe", b"\xfe\xff"):
        text = _read(data, "utf-16")
        if text is None:
            _fail(name, "starts like UTF-16 text but cannot be read as such; " + SAVE_AS_CSV)
        return text, "utf-16"
    if data.isascii():
        return data.decode("ascii"), "utf-8"
    if data.startswith(codecs.BOM_UTF8):
        skip = len(codecs.BOM_UTF8)
        try:
            return data[skip:].decode("utf-8"), "utf-8-sig"
        except UnicodeDecodeError as err:
            position = err.start + skip
            _fail(
                name,
                f"starts with the mark of UTF-8 text, but byte 0x{data[position]:02x} in this "
                f"row is not UTF-8; pass the file's real encoding, or {SAVE_AS_CSV}",
                _row(data, position),
            )
    utf8 = _read(data, "utf-8")
    utf8_text = utf8 is not None and _looks_like_utf8(utf8)
    if utf8_text and _utf8_evidence(utf8) >= STRONG_EVIDENCE:
        return utf8, "utf-8"
    gb = _read(data, "gb18030")
    western = _read(data, "cp1252")
    plausible = [
        encoding
        for encoding, ok in (
            ("utf-8", utf8_text),
            ("gb18030", gb is not None and _looks_chinese(gb)),
            ("cp1252", western is not None and _looks_western(western)),
        )
        if ok
    ]
    if plausible == ["utf-8"] and utf8 is not None:
        return utf8, "utf-8"
    if plausible == ["gb18030"] and gb is not None:
        return gb, "gb18030"
    _refuse(data, name, utf8 is None, plausible)


def _looks_like_utf8(text: str) -> bool:
    """No character that a data file never holds (so the bytes were not meant as UTF-8)."""
    odd = {c for c in set("".join(_NON_ASCII.findall(text))) if _never_in_text(c)}
    marks = {c for c in odd if unicodedata.category(c) in ("Mn", "Me")}
    if odd - marks:
        return False
    # A combining mark belongs on something: decomposed 'é' is 'e' + U+0301, an emoji
    # may carry a variation selector; after a space, punctuation or nothing it is noise.
    for mark in marks:
        for found in re.finditer(re.escape(mark), text):
            before = text[found.start() - 1] if found.start() else " "
            if unicodedata.category(before)[0] not in "LNSM":
                return False
    return True


def _never_in_text(char: str) -> bool:
    """Control, unassigned, private or non-characters, IPA letters, combining marks."""
    code = ord(char)
    return (
        unicodedata.category(char) in ("Cc", "Cn", "Co", "Cs", "Mn", "Me")
        or 0x250 <= code < 0x300  # IPA letters and spacing modifiers: the 'ɫ' of '色'
        or 0xFDD0 <= code <= 0xFDEF
        or code & 0xFFFE == 0xFFFE
    )


def _utf8_evidence(text: str) -> int:
    """How surely the text is UTF-8 and not GB18030 misread: the continuation bytes of its
    distinct non-ASCII characters (a repeated one is one coincidence, not many), weighted
    by `_weight`; stops counting at STRONG_EVIDENCE."""
    weights: dict[str, int] = {}
    total = 0
    for run in _NON_ASCII.finditer(text):
        for i, char in enumerate(run.group(), start=run.start()):
            weight = _weight(text, i, char)
            if weight > weights.get(char, 0):
                total += weight - weights.get(char, 0)
                weights[char] = weight
        if total >= STRONG_EVIDENCE:
            break
    return total


def _weight(text: str, i: int, char: str) -> int:
    """A Chinese character 2; a letter of two bytes 1, or 3 inside a word with ASCII
    letters (the 'ü' of 'Müller'), or 0 beside a letter of another alphabet (GBK bytes
    read as UTF-8 mix alphabets at random, words do not)."""
    size = len(char.encode("utf-8")) - 1
    if size != 1 or not char.isalpha():
        return size
    before = text[i - 1] if i else " "
    after = text[i + 1] if i + 1 < len(text) else " "
    alphabet = _alphabet(char)
    if any(
        n.isalpha() and "\x80" <= n < "\u0800" and _alphabet(n) != alphabet for n in (before, after)
    ):
        return 0
    if before.isalpha() and after.isalpha() and (before.isascii() or after.isascii()):
        return 3
    return 1


_ALPHABETS = (
    (0x250, "Latin"),
    (0x370, "IPA"),
    (0x400, "Greek"),
    (0x530, "Cyrillic"),
    (0x590, "Armenian"),
    (0x600, "Hebrew"),
    (0x700, "Arabic"),
    (0x750, "Syriac"),
    (0x780, "Arabic"),
    (0x7C0, "Thaana"),
    (0x800, "NKo"),
)


def _alphabet(char: str) -> str:
    """The alphabet of a character written with two UTF-8 bytes (U+0080 to U+07FF)."""
    return next(name for end, name in _ALPHABETS if ord(char) < end)


def _looks_chinese(text: str) -> bool:
    """Every non-ASCII character Chinese-like, and at least 9 in 10 in GB2312."""
    counts = Counter("".join(_NON_ASCII.findall(text)))
    if not all(_chinese_like(c) for c in counts):
        return False
    common = sum(n for c, n in counts.items() if _in_gb2312(c))
    return 10 * common >= 9 * sum(counts.values())


def _chinese_like(char: str) -> bool:
    code = ord(char)
    return (
        0x4E00 <= code <= 0x9FFF  # CJK unified ideographs
        or 0x3400 <= code <= 0x4DBF  # extension A
        or 0x20000 <= code <= 0x3FFFF  # extensions B and later
        or 0xF900 <= code <= 0xFAFF  # compatibility ideographs
        or 0x3000 <= code <= 0x303F  # CJK symbols and punctuation: 、。《》
        or 0xFF00 <= code <= 0xFFEF  # full-width forms: ，（）：
        or 0xFE30 <= code <= 0xFE4F  # CJK compatibility forms
        or 0x3200 <= code <= 0x32FF  # enclosed CJK: ㈠
        or 0x2460 <= code <= 0x24FF  # circled numbers: ①
        or 0x2160 <= code <= 0x217F  # Roman numerals
        or char in _CHINESE_SIGNS
    )


def _in_gb2312(char: str) -> bool:
    try:
        char.encode("gb2312")
    except UnicodeEncodeError:
        return False
    return True


def _looks_western(text: str) -> bool:
    """Accented letters or signs alone, or two letters together (GBK and UTF-8 bytes
    read as Windows-1252 give runs of two or more, mixing letters and signs)."""
    for run in _NON_ASCII.findall(text):
        if len(run) > 2 or (len(run) == 2 and not run.isalpha()):
            return False
        if not run.isprintable() and run != "\xa0":
            return False
    return True


# ---------------------------------------------------------------- refusing


def _refuse(data: bytes, name: str, not_utf8: bool, plausible: list[str]) -> NoReturn:
    """Raise the problem that says why no reading is certain and how to choose one."""
    shown = list(plausible)
    gb = _read(data, "gb18030") if "utf-8" not in shown and "gb18030" not in shown else None
    if gb is not None and not any(
        unicodedata.category(c) in ("Cn", "Co") for c in set("".join(_NON_ASCII.findall(gb)))
    ):
        shown.append("gb18030")  # Chinese with a sign that is rare in Chinese text ('ソ')
    big5 = _read(data, "big5") if "gb18030" not in plausible else None
    if big5 is not None and all(_chinese_like(c) for c in set("".join(_NON_ASCII.findall(big5)))):
        shown.append("big5")
    if not shown:  # nothing reads as clean text: offer whatever decodes at all
        shown = [e for e in CANDIDATES if _read(data, e) is not None]
    shown.sort(key=list(CANDIDATES).index)
    if not_utf8:
        position = _utf8_error(data)
        why = f"is not UTF-8 text (byte 0x{data[position]:02x} in this row)"
    else:
        position = _NON_ASCII_BYTE.search(data).start()  # type: ignore[union-attr]
        why = "cannot tell for sure which encoding the file is saved in"
    if not shown:
        _fail(name, f"{why}, nor in any other usual encoding; {SAVE_AS_CSV}", _row(data, position))
    readings = _readings(data, position, shown)
    if len(shown) == 1:
        (only,) = shown
        advice = (
            f"this row reads {readings} ({CANDIDATES[only]}): if that is right, pass "
            f'encoding="{only}" (on the command line: --encoding {only}), or {SAVE_AS_CSV}'
        )
    else:
        advice = (
            f"this row reads {readings}; pass the one that shows your text correctly "
            f"(on the command line: --encoding NAME), or {SAVE_AS_CSV}"
        )
    _fail(name, f"{why}; {advice}", _row(data, position))


def _readings(data: bytes, position: int, encodings: list[str]) -> str:
    """How each encoding reads the cell at a byte position."""
    start = data.rfind(b"\n", 0, position) + 1
    end = data.find(b"\n", position)
    line = data[start : end if end >= 0 else len(data)]
    parts = []
    for encoding in encodings:
        before = len(line[: position - start].decode(encoding, errors="replace"))
        cell = _cell_at(line.decode(encoding, errors="replace"), before)
        shown = "".join(c if c.isprintable() else "\ufffd" for c in cell)
        parts.append(f"'{shown}' with encoding=\"{encoding}\"")
    return ", ".join(parts[:-1]) + " and " + parts[-1] if len(parts) > 1 else parts[0]


def _cell_at(line: str, near: int) -> str:
    """The cell holding the first non-ASCII character from about `near` on."""
    found = _NON_ASCII.search(line, max(near - 1, 0)) or _NON_ASCII.search(line)
    i = found.start() if found else 0
    left = max(line.rfind(c, 0, i) for c in _CELL_END) + 1
    right = min([j for j in (line.find(c, i) for c in _CELL_END) if j >= 0], default=len(line))
    cell = line[left:right].strip()
    return cell if len(cell) <= 40 else cell[:39] + "…"


def _utf8_error(data: bytes) -> int:
    try:
        data.decode("utf-8")
    except UnicodeDecodeError as err:
        return err.start
    return 0  # pragma: no cover


def _row(data: bytes, position: int, encoding: str = "ascii") -> int:
    """The 1-based line of a byte position (lines counted in the file's own encoding)."""
    if encoding == "ascii" or _ascii_based(encoding):
        return data.count(b"\n", 0, position) + 1
    return data[:position].decode(encoding, errors="replace").count("\n") + 1


def _fail(name: str, message: str, row: int | None = None) -> NoReturn:
    raise DataValidationError([Problem(name, row, None, message)])
