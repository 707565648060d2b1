"""A small reader of gettext .po files and writer of .mo files (polib is not a dependency).

Enough of the format for Django catalogues: comments, flags, msgctxt, plurals,
multi-line strings and obsolete (#~) entries.
"""

import array
import re
import struct
from dataclasses import dataclass, field
from pathlib import Path

_KEYWORD = re.compile(r'^(msgctxt|msgid_plural|msgid|msgstr(?:\[(\d+)\])?)\s+"(.*)"$')
_CONTINUATION = re.compile(r'^"(.*)"$')
_ESCAPES = {"n": "\n", "t": "\t", "r": "\r", '"': '"', "\\": "\\", "a": "\a", "b": "\b", "f": "\f", "v": "\v"}


def _unescape(text: str) -> str:
    return re.sub(r"\\(.)", lambda m: _ESCAPES.get(m.group(1), m.group(1)), text)


@dataclass
class Entry:
    line: int
    msgid: str = ""
    msgctxt: str | None = None
    msgid_plural: str | None = None
    msgstr: dict[int, str] = field(default_factory=dict)
    flags: set[str] = field(default_factory=set)
    obsolete: bool = False

    @property
    def is_header(self) -> bool:
        return self.msgid == "" and self.msgctxt is None

    @property
    def translated(self) -> bool:
        return bool(self.msgstr) and all(self.msgstr.values())

    @property
    def fuzzy(self) -> bool:
        return "fuzzy" in self.flags


def parse(path: Path) -> list[Entry]:
    entries: list[Entry] = []
    current: Entry | None = None
    last: tuple[str, int] | None = None

    def finish():
        nonlocal current, last
        if current is not None and (current.msgstr or current.msgid or current.obsolete):
            entries.append(current)
        current, last = None, None

    for number, raw in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        line = raw.strip()
        if not line:
            finish()
            continue
        if line.startswith("#~"):
            current = current or Entry(line=number)
            current.obsolete = True
            continue
        if line.startswith("#,"):
            if current is not None and current.msgstr:
                finish()
            current = current or Entry(line=number)
            current.flags |= {flag.strip() for flag in line[2:].split(",") if flag.strip()}
            continue
        if line.startswith("#"):
            if current is not None and current.msgstr:
                finish()
            current = current or Entry(line=number)
            continue
        match = _KEYWORD.match(line)
        if match:
            keyword, index, text = match.group(1), match.group(2), _unescape(match.group(3))
            if keyword in ("msgctxt", "msgid") and current is not None and current.msgstr:
                finish()  # a new entry without a blank line before it
            current = current or Entry(line=number)
            if keyword.startswith("msgstr"):
                slot = int(index) if index is not None else 0
                current.msgstr[slot] = text
                last = ("msgstr", slot)
            else:
                setattr(current, keyword, text)
                last = (keyword, 0)
            continue
        match = _CONTINUATION.match(line)
        if match and current is not None and last is not None:
            text = _unescape(match.group(1))
            if last[0] == "msgstr":
                current.msgstr[last[1]] += text
            else:
                setattr(current, last[0], getattr(current, last[0]) + text)
            continue
        raise ValueError(f"{path}:{number}: cannot parse {raw!r}")
    finish()
    return entries


def write_mo(entries: list[Entry], target: Path) -> None:
    """Compile like `msgfmt`: translated, non-fuzzy, non-obsolete entries (and the header)."""
    messages = {}
    for e in entries:
        if e.obsolete or not e.translated or (e.fuzzy and not e.is_header):
            continue
        key = e.msgid if e.msgid_plural is None else f"{e.msgid}\0{e.msgid_plural}"
        if e.msgctxt is not None:
            key = f"{e.msgctxt}\x04{key}"
        value = "\0".join(e.msgstr[i] for i in sorted(e.msgstr))
        messages[key.encode()] = value.encode()
    keys = sorted(messages)
    ids = strs = b""
    offsets = []
    for key in keys:
        offsets.append((len(ids), len(key), len(strs), len(messages[key])))
        ids += key + b"\0"
        strs += messages[key] + b"\0"
    key_start = 7 * 4 + 16 * len(keys)
    value_start = key_start + len(ids)
    key_offsets, value_offsets = [], []
    for id_offset, id_length, str_offset, str_length in offsets:
        key_offsets += [id_length, id_offset + key_start]
        value_offsets += [str_length, str_offset + value_start]
    header = struct.pack("Iiiiiii", 0x950412DE, 0, len(keys), 7 * 4, 7 * 4 + len(keys) * 8, 0, 0)
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_bytes(header + array.array("i", key_offsets + value_offsets).tobytes() + ids + strs)
