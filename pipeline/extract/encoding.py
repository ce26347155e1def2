"""Bytes to text: a BOM first, then the declared charset when the bytes agree, else detection.

Old blogs and article directories often declare one charset and send another (a
template saying ISO-8859-1 around UTF-8 posts, or the reverse). Valid multi-byte UTF-8 is
almost never produced by chance, so bytes that decode as UTF-8 are read as UTF-8
whatever the declaration says; bytes that do not are read with the declared single-byte
charset, else Windows-1252, else a charset detector for non-Western pages.
"""

from __future__ import annotations

import codecs
import re

BOMS = (
    (codecs.BOM_UTF32_LE, "utf-32-le"),
    (codecs.BOM_UTF32_BE, "utf-32-be"),
    (codecs.BOM_UTF8, "utf-8"),
    (codecs.BOM_UTF16_LE, "utf-16-le"),
    (codecs.BOM_UTF16_BE, "utf-16-be"),
)
# <meta charset=..> and <meta http-equiv=Content-Type content="..; charset=..">, both
# looked for in the first bytes only, as browsers do.
META_CHARSET = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?\s*([A-Za-z0-9_.:-]+)""", re.I)
XML_ENCODING = re.compile(rb"""^\s*<\?xml[^>]+encoding\s*=\s*["']([A-Za-z0-9_.:-]+)""", re.I)
SNIFF_BYTES = 4096
# Labels browsers read as Windows-1252 (the WHATWG Encoding Standard does the same).
WINDOWS_1252_LABELS = frozenset({"iso-8859-1", "iso8859-1", "latin-1", "latin1", "l1", "ascii",
                                 "us-ascii", "cp1252", "windows-1252", "x-cp1252", "cp819"})
# Above this share of non-ASCII letters, a Windows-1252 reading is a wrong guess
# (Western text is mostly ASCII letters; Cyrillic or CJK bytes read as Latin are not).
MAX_WESTERN_NON_ASCII = 0.3
ASCII_NON_LETTERS = bytes(b for b in range(128) if not chr(b).isalpha())
NON_ASCII_RE = re.compile(r"[^\x00-\x7f]")


def decode_html(data: bytes, declared_charset: str | None = None) -> str:
    """Bytes to str, trusting a BOM, then a declared charset the bytes agree with, else detection."""
    for bom, encoding in BOMS:
        if data.startswith(bom):
            return data[len(bom):].decode(encoding, errors="replace")
    utf8 = _strict(data, "utf-8")
    declared = [c for c in (_lookup(declared_charset), _lookup(sniff_charset(data))) if c]
    if utf8 is not None and (not data.isascii() or not declared):
        return utf8
    for encoding in declared:
        if encoding in ("utf-8", "utf-16", "utf-16-le", "utf-16-be"):
            continue  # the bytes are not valid UTF-8: the declaration is wrong
        text = _strict(data, encoding)
        if text is not None:
            return text
    western = data.decode("cp1252", errors="replace")
    if _looks_western(western):
        return western
    return _detect(data) or western


def sniff_charset(data: bytes) -> str | None:
    """The charset a page declares in its own <meta> or XML declaration, if any."""
    head = data[:SNIFF_BYTES]
    match = XML_ENCODING.search(head) or META_CHARSET.search(head)
    return match.group(1).decode("ascii", "ignore") if match else None


def _lookup(label: str | None) -> str | None:
    """A Python codec name for a charset label, Latin-1 labels read as Windows-1252."""
    if not label:
        return None
    label = label.strip().strip("\"'").lower()
    if label in WINDOWS_1252_LABELS:
        return "cp1252"
    try:
        return codecs.lookup(label).name
    except (LookupError, ValueError):  # ValueError: a label with a NUL in it
        return None


def _strict(data: bytes, encoding: str) -> str | None:
    """The bytes decoded strictly, or None when they do not fit the encoding."""
    try:
        return data.decode(encoding)
    except (UnicodeDecodeError, LookupError):
        return None


def _looks_western(text: str) -> bool:
    """True when a Windows-1252 reading gives mostly ASCII letters."""
    # A page is some 50,000 characters: the ASCII letters are counted in C, and only the
    # (few, in Western text) other characters are looked at one by one.
    ascii_letters = len(text.encode("ascii", "ignore").translate(None, ASCII_NON_LETTERS))
    non_ascii = sum(1 for ch in NON_ASCII_RE.findall(text) if ch.isalpha())
    letters = ascii_letters + non_ascii
    if not letters:
        return True
    return non_ascii / letters <= MAX_WESTERN_NON_ASCII


def _detect(data: bytes) -> str | None:
    """Decode with the charset a detector finds most likely, or None."""
    try:
        from charset_normalizer import from_bytes
    except ImportError:  # a transitive dependency (trafilatura, requests); optional here
        return None
    best = from_bytes(data).best()
    return str(best) if best is not None else None
