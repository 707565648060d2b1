"""The Korean catalogue is complete: every message translated, nothing fuzzy, placeholders kept."""

import re
from pathlib import Path

import pytest

from tests import po

KO = Path(__file__).resolve().parents[2] / "locale" / "ko" / "LC_MESSAGES" / "django.po"
NAMED = re.compile(r"%\((\w+)\)[sdif]")
POSITIONAL = re.compile(r"%[sdif]")


@pytest.fixture(scope="module")
def entries():
    if not KO.exists():
        pytest.fail(f"the Korean catalogue is missing: {KO} (run makemessages -l ko and translate it)")
    return [e for e in po.parse(KO) if not e.obsolete]


def describe(entry) -> str:
    return f"line {entry.line}: {entry.msgid!r}"


def test_the_catalogue_has_messages(entries):
    assert len([e for e in entries if not e.is_header]) > 0


def test_the_header_declares_korean_utf8_and_one_plural_form(entries):
    header = next(e for e in entries if e.is_header).msgstr[0]
    fields = dict(line.split(": ", 1) for line in header.strip().splitlines() if ": " in line)
    assert (fields.get("Language"), fields.get("Content-Type"), fields.get("Plural-Forms")) == (
        "ko", "text/plain; charset=UTF-8", "nplurals=1; plural=0;",
    )


def test_no_message_is_left_untranslated(entries):
    untranslated = [describe(e) for e in entries if not e.is_header and not e.translated]
    assert untranslated == [], f"{len(untranslated)} untranslated:\n" + "\n".join(untranslated)


def test_no_entry_is_fuzzy(entries):
    fuzzy = [describe(e) for e in entries if e.fuzzy]
    assert fuzzy == [], f"{len(fuzzy)} fuzzy:\n" + "\n".join(fuzzy)


def placeholders(text: str) -> tuple[set, int]:
    """The named %(x)s placeholders and the number of positional %s / %d ones."""
    named = set(NAMED.findall(text))
    positional = len(POSITIONAL.findall(NAMED.sub("", text.replace("%%", ""))))
    return named, positional


def test_every_translation_keeps_the_placeholders_of_its_source(entries):
    broken = []
    for e in entries:
        if e.is_header or e.fuzzy or not e.translated or "python-format" not in e.flags:
            continue
        source_named, source_positional = placeholders(e.msgid + " " + (e.msgid_plural or ""))
        for text in e.msgstr.values():
            named, positional = placeholders(text)
            if named != source_named or (e.msgid_plural is None and positional != source_positional):
                broken.append(f"{describe(e)} → {text!r}")
    assert broken == [], "\n".join(broken)


def test_no_message_appears_twice(entries):
    keys = [(e.msgctxt, e.msgid) for e in entries]
    assert sorted({k for k in keys if keys.count(k) > 1}) == []
