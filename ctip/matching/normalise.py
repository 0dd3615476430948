"""Normalising people's names, dates, phones and documents so that spellings of one person meet.

The same child is written "Sophal", "Sophall", "Sophol"; "SOK Dara" or "Dara Sok"; in Khmer
script or romanised; with a birth date or only an estimated age. Everything here is pure Python,
used alike by the Splink model (ctip/matching/engine.py), by the keyed blocking hashes of the
product (ctip/matching/keys.py) and by `match_csv`.

- `fold`: lower case, diacritics removed, anything but letters turned into spaces.
- `token_key`: one romanised name token reduced to a key that its variants share: first the
  variant table of names.csv ("Kanha" → "khagna", "Sophol" → "sophal"), then a consonant
  skeleton that forgives the usual romanisation differences (doubled letters, aspirated
  consonants "kh"/"k", "ph"/"p", vowel spellings "o"/"a"/"ou", a final "h").
- `khmer_key`: Khmer script with invisible characters, spaces and the COENG DA / COENG TA
  variation (្ដ / ្ត) normalised away.
"""

import csv
import re
import unicodedata
from datetime import date
from functools import lru_cache
from pathlib import Path

NAMES_CSV = Path(__file__).resolve().parents[1] / "core" / "data" / "names.csv"

_NON_LETTERS = re.compile(r"[^a-z]+")
_DOUBLED = re.compile(r"(.)\1+")
# Aspiration and digraphs that romanisers write either way.
_DIGRAPHS = (("kh", "k"), ("ph", "p"), ("th", "t"), ("ch", "c"), ("gn", "n"), ("nh", "n"))
_VOWELS = re.compile(r"[aeiouy]+")
_ZERO_WIDTH = dict.fromkeys(map(ord, "\u200b\u200c\u200d\u2060\ufeff"), None)
_KHMER_COENG_DA = "\u17d2\u178a"  # ្ដ
_KHMER_COENG_TA = "\u17d2\u178f"  # ្ត


def fold(text: str | None) -> str:
    """Lower case ASCII letters and single spaces; accents dropped ("Kratié" → "kratie")."""
    if not text:
        return ""
    decomposed = unicodedata.normalize("NFKD", str(text))
    plain = "".join(c for c in decomposed if not unicodedata.combining(c)).lower()
    return _NON_LETTERS.sub(" ", plain).strip()


@lru_cache(maxsize=1)
def variant_table() -> dict[str, str]:
    """Folded romanisation → the canonical folded romanisation of names.csv."""
    table: dict[str, str] = {}
    try:
        fh = NAMES_CSV.open(encoding="utf-8", newline="")
    except FileNotFoundError:  # pragma: no cover (the file ships with the code)
        return table
    with fh:
        for row in csv.DictReader(fh):
            canonical = fold(row.get("romanised"))
            if not canonical or " " in canonical:
                continue
            for variant in (row.get("variants") or "").split("|"):
                variant = fold(variant)
                if variant and " " not in variant and variant != canonical:
                    table.setdefault(variant, canonical)
    return table


def skeleton(token: str) -> str:
    """The consonant skeleton of a folded token: first letter kept, vowels dropped."""
    if not token:
        return ""
    token = _DOUBLED.sub(r"\1", token)
    for digraph, single in _DIGRAPHS:
        token = token.replace(digraph, single)
    if len(token) > 2 and token.endswith("h"):
        token = token[:-1]
    head, rest = token[0], _VOWELS.sub("", token[1:])
    return _DOUBLED.sub(r"\1", head + rest)


def token_key(token: str) -> str:
    """The key that the spellings of one name token share ("Sophall", "Sophol" → "spl")."""
    token = fold(token).replace(" ", "")
    if not token:
        return ""
    return skeleton(variant_table().get(token, token))


def canonical_token(token: str) -> str:
    """A folded token replaced by its canonical romanisation when names.csv lists it."""
    token = fold(token).replace(" ", "")
    return variant_table().get(token, token)


_NON_ALNUM = re.compile(r"[^a-z0-9]+")


def fold_place(text) -> str:
    """A place name or code: like `fold`, but digits kept ("Phum 3", "0102")."""
    if text is None or text == "":
        return ""
    decomposed = unicodedata.normalize("NFKD", str(text))
    plain = "".join(c for c in decomposed if not unicodedata.combining(c)).lower()
    return _NON_ALNUM.sub(" ", plain).strip()


def name_tokens(text: str | None) -> list[str]:
    return [t for t in fold(text).split(" ") if t]


def khmer_key(text: str | None) -> str:
    """Khmer script compared as such: NFC, no spaces or invisible characters, ្ដ read as ្ត."""
    if not text:
        return ""
    text = unicodedata.normalize("NFC", str(text)).translate(_ZERO_WIDTH)
    text = text.replace(_KHMER_COENG_DA, _KHMER_COENG_TA)
    return re.sub(r"\s+", "", text)


_KHMER_LETTERS = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789"


def khmer_skeleton(text: str | None) -> str:
    """The consonants and independent vowels of a Khmer name, one ASCII sign each.

    Vowel signs and diacritics (៉ ់ ៊ …) are what spellings of one name differ in most; and
    string distances in SQL count UTF-8 bytes, three per Khmer sign, so comparing this
    skeleton with levenshtein() counts letters, as it should.
    """
    out = []
    for ch in khmer_key(text):
        cp = ord(ch) - 0x1780
        if 0 <= cp <= 0x33:  # consonants U+1780–U+17A2, independent vowels up to U+17B3
            out.append(_KHMER_LETTERS[cp] if cp < len(_KHMER_LETTERS) else "~")
    return "".join(out)


def split_full_name(full_name: str) -> tuple[str, str]:
    """(given, family) from one string. Khmer order puts the family name first ("Sok Dara");
    a swapped order is caught by the model's swapped-names level, so the guess is harmless."""
    tokens = name_tokens(full_name)
    if not tokens:
        return "", ""
    if len(tokens) == 1:
        return tokens[0], ""
    return " ".join(tokens[1:]), tokens[0]


def phone_key(value: str | None) -> str:
    """Digits of a phone, Cambodia's +855 / 00855 prefix turned into the national leading 0.

    The same rule as `ctip.justice.models.normalise_identifier` for phones (a test holds them
    together); repeated here so that the matcher runs without Django (bench, Spark jobs).
    """
    if not value:
        return ""
    digits = re.sub(r"\D", "", str(value))
    for prefix in ("00855", "855"):
        if digits.startswith(prefix) and len(digits) > len(prefix) + 6:
            digits = "0" + digits[len(prefix) :].lstrip("0")
            break
    if digits and not digits.startswith("0") and 8 <= len(digits) <= 9:
        digits = "0" + digits
    return digits


def document_key(value: str | None) -> str:
    """Letters and digits of an identity-document number, upper case."""
    if not value:
        return ""
    return re.sub(r"[\W_]", "", str(value)).upper()


_DATE_FORMATS = (
    re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})"),
    re.compile(r"^(\d{4})(\d{2})(\d{2})$"),
    re.compile(r"^(\d{4})/(\d{1,2})/(\d{1,2})"),
)


def parse_date(value) -> date | None:
    """A date from a date, "YYYY-MM-DD" or "YYYYMMDD"; None when it is not a real date."""
    if value is None or value == "":
        return None
    if isinstance(value, date):
        return value
    text = str(value).strip()
    for pattern in _DATE_FORMATS:
        m = pattern.match(text)
        if m:
            try:
                return date(int(m[1]), int(m[2]), int(m[3]))
            except ValueError:
                return None
    return None


def parse_int(value) -> int | None:
    if value is None or value == "":
        return None
    try:
        return int(float(str(value).strip()))
    except ValueError:
        return None


def sex_key(value) -> str:
    """'f', 'm' or '' (unknown, other, empty)."""
    text = fold(value)
    if text in ("f", "female", "woman", "girl", "srey"):
        return "f"
    if text in ("m", "male", "man", "boy", "proh"):
        return "m"
    return ""
