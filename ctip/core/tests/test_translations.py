"""The Khmer catalogue is complete, well-formed and compiled.

Reads ctip/locale/km/LC_MESSAGES/django.po with a small stdlib parser (no polib in the project),
then checks every entry against the compiled django.mo and against Django's own translation
machinery. When a test here fails after new strings were added: run
`manage.py makemessages -l km --no-location ...`, translate the new entries, then
`manage.py compilemessages -l km --ignore .venv`.
"""

import gettext
import re
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from django.utils.translation import gettext as _
from django.utils.translation import ngettext, override

LC_MESSAGES = Path(__file__).resolve().parents[2] / "locale" / "km" / "LC_MESSAGES"
PO_FILE = LC_MESSAGES / "django.po"
MO_FILE = LC_MESSAGES / "django.mo"

KHMER = re.compile(r"[\u1780-\u17ff]")
# Python format placeholders: %(name)s, %s, %d ... and a literal %%.
PERCENT = re.compile(r"%(?:\([^)]*\))?[-#0 +]*\d*(?:\.\d+)?[sdifgeExXor%]")
BRACE = re.compile(r"\{[^{}]*\}")
TAG = re.compile(r"</?[a-zA-Z][^>]*>")
# Names that stay in Latin script; a msgid made of nothing else may be "translated" as itself.
LATIN_NAMES = [
    "Google Authenticator",
    "Primero / CPIMS+",
    "OSCaR",
    "ISO 3166",
    "FreeOTP",
    "UNGEGN",
    "Aegis",
    "CTIP",
    "TOTP",
    "NCDD",
    "API",
    "PNH",
]
ESCAPES = {"n": "\n", "t": "\t", "r": "\r", '"': '"', "\\": "\\", "a": "\a", "b": "\b"}


@dataclass
class Entry:
    msgid: str = ""
    msgid_plural: str | None = None
    msgctxt: str | None = None
    msgstr: dict[int, str] = field(default_factory=dict)
    flags: set[str] = field(default_factory=set)
    line: int = 0

    @property
    def label(self) -> str:
        return f"line {self.line}: {self.msgid!r}"


def _unquote(text: str, lineno: int) -> str:
    text = text.strip()
    if len(text) < 2 or text[0] != '"' or text[-1] != '"':
        raise ValueError(f"{PO_FILE.name}:{lineno}: expected a quoted string, got {text!r}")
    return re.sub(r"\\(.)", lambda m: ESCAPES.get(m.group(1), "\\" + m.group(1)), text[1:-1])


def parse_po(path: Path) -> tuple[dict[str, str], list[Entry]]:
    """Returns (header fields, entries). Obsolete (#~) entries are skipped."""
    entries: list[Entry] = []
    current: Entry | None = None
    flags: set[str] = set()
    target: tuple[str, int | None] | None = None

    def finish():
        nonlocal current
        if current is not None:
            entries.append(current)
        current = None

    for lineno, raw in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        line = raw.strip()
        if not line:
            finish()
            target = None
            continue
        if line.startswith("#"):
            if line.startswith("#,"):
                flags |= {f.strip() for f in line[2:].split(",") if f.strip()}
            continue
        if line.startswith('"'):
            if current is None or target is None:
                raise ValueError(f"{path.name}:{lineno}: continuation outside an entry")
            value = _unquote(line, lineno)
            name, index = target
            if name == "msgstr":
                current.msgstr[index] += value
            else:
                setattr(current, name, (getattr(current, name) or "") + value)
            continue
        keyword, _sep, rest = line.partition(" ")
        if keyword in ("msgctxt", "msgid") and current is not None and current.msgstr:
            finish()  # a new entry without a blank line between
        if current is None:
            current = Entry(flags=flags, line=lineno)
            flags = set()
        value = _unquote(rest, lineno)
        if keyword in ("msgctxt", "msgid", "msgid_plural"):
            setattr(current, keyword, value)
            target = (keyword, None)
        elif keyword == "msgstr":
            current.msgstr[0] = value
            target = ("msgstr", 0)
        elif m := re.fullmatch(r"msgstr\[(\d+)\]", keyword):
            current.msgstr[int(m.group(1))] = value
            target = ("msgstr", int(m.group(1)))
        else:
            raise ValueError(f"{path.name}:{lineno}: unknown keyword {keyword!r}")
    finish()

    headers = [e for e in entries if e.msgid == "" and e.msgctxt is None]
    assert len(headers) == 1, "the catalogue needs exactly one header entry"
    header = headers[0]
    assert "fuzzy" not in header.flags, "the header is still marked fuzzy"
    fields = {}
    for row in header.msgstr[0].splitlines():
        key, _sep, value = row.partition(":")
        fields[key.strip()] = value.strip()
    return fields, [e for e in entries if e is not header]


@pytest.fixture(scope="module")
def catalogue():
    return parse_po(PO_FILE)


@pytest.fixture(scope="module")
def entries(catalogue):
    return catalogue[1]


def test_header_says_khmer_without_plural_inflection(catalogue):
    header, _entries = catalogue
    assert header["Language"] == "km"
    assert header["Plural-Forms"].replace(" ", "") == "nplurals=1;plural=0;"
    assert "charset=UTF-8" in header["Content-Type"]


def test_catalogue_is_not_empty(entries):
    assert len(entries) > 100


def test_msgids_are_unique(entries):
    seen = [(e.msgctxt, e.msgid) for e in entries]
    assert len(seen) == len(set(seen))


def test_every_entry_has_a_khmer_translation(entries):
    untranslated = [e.label for e in entries if not all(s.strip() for s in e.msgstr.values())]
    assert untranslated == []


def test_no_entry_is_fuzzy(entries):
    assert [e.label for e in entries if "fuzzy" in e.flags] == []


def test_plural_entries_have_exactly_one_form(entries):
    wrong = [e.label for e in entries if e.msgid_plural is not None and set(e.msgstr) != {0}]
    assert wrong == []


def test_translations_are_in_khmer_script(entries):
    def latin_only(text):
        for name in LATIN_NAMES:
            text = text.replace(name, "")
        return not re.search(r"[A-Za-z]{2,}", text)

    english = [
        e.label
        for e in entries
        if not latin_only(e.msgid) and not all(KHMER.search(s) for s in e.msgstr.values())
    ]
    assert english == []


def _placeholders(text: str, python_format: bool) -> list[str]:
    found = BRACE.findall(text)
    if python_format:
        found += PERCENT.findall(text)
    return sorted(found)


def test_placeholders_match(entries):
    wrong = []
    for e in entries:
        python_format = "python-format" in e.flags
        expected = _placeholders(e.msgid, python_format)
        if e.msgid_plural is not None:
            # One Khmer form serves every count: it must use the plural's placeholders.
            expected = _placeholders(e.msgid_plural, python_format)
        for msgstr in e.msgstr.values():
            if _placeholders(msgstr, python_format) != expected:
                wrong.append(e.label)
    assert wrong == []


def test_markup_and_latin_names_are_kept(entries):
    wrong = []
    for e in entries:
        for msgstr in e.msgstr.values():
            tags_differ = sorted(TAG.findall(e.msgid)) != sorted(TAG.findall(msgstr))
            lost_names = [n for n in LATIN_NAMES if n in e.msgid and n not in msgstr]
            if tags_differ or lost_names:
                wrong.append(e.label)
    assert wrong == []


def test_compiled_catalogue_matches_the_po_file(entries):
    """The .mo holds exactly the .po's translations (mtime means nothing in a git checkout)."""
    assert MO_FILE.exists(), "run: manage.py compilemessages -l km --ignore .venv"
    with MO_FILE.open("rb") as fh:
        mo = gettext.GNUTranslations(fh)
    stale = []
    for e in entries:
        if e.msgid_plural is not None:
            for n in (1, 2, 5):
                got = (
                    mo.npgettext(e.msgctxt, e.msgid, e.msgid_plural, n)
                    if e.msgctxt is not None
                    else mo.ngettext(e.msgid, e.msgid_plural, n)
                )
                if got != e.msgstr[0]:
                    stale.append(e.label)
                    break
        else:
            got = mo.pgettext(e.msgctxt, e.msgid) if e.msgctxt is not None else mo.gettext(e.msgid)
            if got != e.msgstr[0]:
                stale.append(e.label)
    assert stale == [], "django.mo is out of date: run manage.py compilemessages -l km"
    assert mo.info().get("language") == "km"
    # No leftovers of strings since removed from the .po (the header is one more key).
    assert len(mo._catalog) == 1 + sum(len(e.msgstr) for e in entries)


@pytest.mark.parametrize(
    "english",
    ["Log in", "Log out", "Dashboard", "Case worker", "Two-factor authentication", "Audit log"],
)
def test_django_serves_core_strings_in_khmer(english):
    with override("km"):
        khmer = _(english)
    assert khmer != english
    assert KHMER.search(khmer), khmer
    with override("en"):
        assert _(english) == english


def test_django_serves_the_whole_catalogue(entries):
    """LOCALE_PATHS wins over Django's and the apps' own catalogues for every msgid."""
    wrong = []
    with override("km"):
        for e in entries:
            if e.msgctxt is not None:
                continue
            if e.msgid_plural is not None:
                got = [ngettext(e.msgid, e.msgid_plural, n) for n in (1, 3)]
            else:
                got = [_(e.msgid)]
            if any(g != e.msgstr[0] for g in got):
                wrong.append(e.label)
    assert wrong == []
