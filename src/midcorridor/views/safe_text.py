"""Text from input files made safe for each place it is shown: the one place that does it.

Names, labels, descriptions and notes come from files a user may have copied from anyone.
Before they are shown:

- on a **terminal** (:func:`for_terminal`, :func:`markup`): control characters (C0 but tab
  and newline, DEL, C1) are shown escaped (``\\x1b``), so no text can move the cursor,
  clear the screen, retitle the window or plant a link; rich markup is shown, never read;
  an echoed value is cut to a readable length (:func:`shorten`);
- on a **chart** (:func:`for_chart`): the same, and cut so that a title cannot crowd out
  the plot;
- in **Markdown** (:func:`for_markdown`): every character that could open a link, an image,
  emphasis, code, a heading or an HTML tag is escaped, and line breaks become spaces, so
  input text stays text;
- in **JSON** (:func:`json_text`): control characters JSON leaves raw (DEL, C1) are written
  as ``\\u`` escapes;
- as **file names** (:func:`file_names`): lower-case letters, digits and hyphens, bounded in
  length, each name unique among its siblings;
- in **HTML**: jinja2 autoescapes every template value (:mod:`midcorridor.views.maps`).
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable

from rich.markup import escape

__all__ = [
    "MAX_CHART_TEXT_CHARS",
    "MAX_ECHO_CHARS",
    "MAX_FILE_STEM_CHARS",
    "file_names",
    "for_chart",
    "for_markdown",
    "for_terminal",
    "json_text",
    "markup",
    "shorten",
]

#: Longest echo of an input value in a message, characters.
MAX_ECHO_CHARS = 200
#: Longest stem of a file name made from a label, characters (file systems allow 255 bytes).
MAX_FILE_STEM_CHARS = 60
#: Longest text drawn on a chart (a title, a legend entry), characters.
MAX_CHART_TEXT_CHARS = 100

#: Control characters a terminal acts on: C0 but tab and newline, DEL and C1.
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")
#: Characters that open a Markdown construct anywhere in a line: escapes, code, emphasis
#: with ``*`` (an ``_`` inside a name like ``digital_customs`` opens none), links and images
#: (``[``, ``]``), table cells, strikethrough.
_MARKDOWN = re.compile(r"([\\`*\[\]|~])")
#: What opens a block at the start of a line: a heading, a quote, a list item.
_BLOCK_START = re.compile(r"^(?:#{1,6}(?=\s|$)|>|[-+](?=\s)|\d{1,9}(?=[.)](?:\s|$)))")
#: What JSON (``json.dumps(..., ensure_ascii=False)``) writes raw but a terminal acts on.
_JSON_RAW = re.compile(r"[\x7f-\x9f]")


def _escaped(match: re.Match[str]) -> str:
    return f"\\x{ord(match.group()):02x}"


def shorten(text: str, limit: int = MAX_ECHO_CHARS) -> str:
    """``text`` cut to ``limit`` characters, saying how much was left out."""
    if len(text) <= limit:
        return text
    return f"{text[:limit]}... ({len(text) - limit:,} more characters)"


def for_terminal(text: object) -> str:
    """``text`` with every control character shown escaped (``\\x1b``), tab and newline kept."""
    return _CONTROL.sub(_escaped, str(text))


def markup(text: object) -> str:
    """``text`` safe inside a rich markup string: control characters escaped, rich markup
    (``[bold]``) shown as it is."""
    return escape(for_terminal(text))


def for_chart(text: str) -> str:
    """Text drawn on a chart: control characters shown escaped, each line cut to
    :data:`MAX_CHART_TEXT_CHARS` characters so that a title cannot crowd out the plot."""
    lines = for_terminal(text).split("\n")
    return "\n".join(
        line if len(line) <= MAX_CHART_TEXT_CHARS else line[: MAX_CHART_TEXT_CHARS - 3] + "..."
        for line in lines
    )


def for_markdown(text: object, *, inline: bool = False) -> str:
    """``text`` that stays text in Markdown: one line, control characters dropped, ``&`` and
    ``<`` as entities (no HTML tag, no autolink), every character that could open a link,
    an image, emphasis, code or a table cell backslash-escaped, and, unless ``inline`` (a
    table cell, text inside a line), a block opener at its start too."""
    plain = " ".join(_CONTROL.sub(" ", str(text)).split())
    plain = plain.replace("&", "&amp;").replace("<", "&lt;")
    plain = _MARKDOWN.sub(r"\\\1", plain)
    if inline:
        return plain
    # the marker itself escaped; for "1." the delimiter after the digits
    return _BLOCK_START.sub(
        lambda m: m.group() + "\\" if m.group()[0].isdigit() else "\\" + m.group(), plain
    )


def json_text(text: str) -> str:
    """JSON text with DEL and C1 characters written as ``\\u`` escapes (JSON itself escapes
    C0); the same JSON value, nothing a terminal would act on."""
    return _JSON_RAW.sub(lambda m: f"\\u{ord(m.group()):04x}", text)


def _stem(label: str) -> str:
    """``"Xi'an-Duisburg, by rail"`` -> ``"xian-duisburg-by-rail"``."""
    plain = label.replace("'", "").replace("\u2019", "")
    ascii_text = unicodedata.normalize("NFKD", plain).encode("ascii", "ignore").decode()
    stem = re.sub(r"[^a-z0-9]+", "-", ascii_text.lower()).strip("-")
    return stem[:MAX_FILE_STEM_CHARS].rstrip("-") or "trip"


def file_names(labels: Iterable[str], *, prefix: str = "", suffix: str = "") -> dict[str, str]:
    """A safe, unique file name for each label: ``prefix``, the label's letters and digits
    (lower case, hyphens between, at most :data:`MAX_FILE_STEM_CHARS`), ``-2``, ``-3``...
    where two labels would share one, then ``suffix``."""
    out: dict[str, str] = {}
    taken: set[str] = set()
    for label in dict.fromkeys(labels):
        stem = _stem(label)
        name, n = stem, 1
        while name in taken:
            n += 1
            name = f"{stem}-{n}"
        taken.add(name)
        out[label] = f"{prefix}{name}{suffix}"
    return out
