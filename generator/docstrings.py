"""Turn OCPP schema descriptions into clean docstring text.

The descriptions in the official schemas are exported from the specification's data dictionary and
carry export noise: ``\\r\\n`` line ends, ``urn:x-oca:ocpp:uid:...`` identifiers preceded by a
data-dictionary path line (``Charge_ Point``, ``Device. Serial_ Number. Serial_ Number``), asciidoc
cross references (``&lt;&lt;configkey-currency,`Currency`&gt;&gt;``), bold markers and ``+`` hard line
breaks. What is left is the sentence a developer wants to read.
"""

from __future__ import annotations

import html
import re
import textwrap

_URN = re.compile(r"^\s*urn:x-(oca|enexis):", re.IGNORECASE)
_XREF = re.compile(r"<<([^,>]+)(?:,\s*([^>]+))?>>")
_BOLD = re.compile(r"(?<![\w*])\*([^*\n]+)\*(?![\w*])")
_CODE = re.compile(r"`([^`]+)`")
_HARD_BREAK = re.compile(r"\s\+$")


def _xref(match: re.Match[str]) -> str:
    label = match.group(2) or match.group(1)
    return label.strip()


def clean_description(text: str) -> str:
    """The cleaned description: paragraphs separated by one blank line, no trailing space."""
    if not text:
        return ""
    text = html.unescape(text.replace("\r\n", "\n").replace("\r", "\n"))
    lines = text.split("\n")
    kept: list[str] = []
    for i, line in enumerate(lines):
        if _URN.match(line):
            continue
        # The line just before an urn:x-oca identifier is the data-dictionary path.
        if i + 1 < len(lines) and _URN.match(lines[i + 1]):
            continue
        line = _XREF.sub(_xref, line)
        line = _HARD_BREAK.sub("", line.rstrip())
        line = _BOLD.sub(r"\1", line)
        line = _CODE.sub(r"\1", line)
        kept.append(line.strip())
    paragraphs: list[str] = []
    current: list[str] = []
    for line in kept:
        if line:
            current.append(line)
        elif current:
            paragraphs.append(" ".join(current) if not _is_list(current) else "\n".join(current))
            current = []
    if current:
        paragraphs.append(" ".join(current) if not _is_list(current) else "\n".join(current))
    result = "\n\n".join(p for p in paragraphs if p)
    return re.sub(r"[ \t]+", " ", result).replace('"""', "'''").replace("\\", "\\\\").strip()


def _is_list(lines: list[str]) -> bool:
    return len(lines) > 1 and all(re.match(r"^([-*•]|\d+[-.)])", ln) for ln in lines[1:])


def wrap(text: str, width: int, indent: str) -> str:
    """Wrap cleaned text for a docstring at ``indent``, keeping paragraph and list breaks."""
    out: list[str] = []
    for paragraph in text.split("\n\n"):
        lines: list[str] = []
        for line in paragraph.split("\n"):
            lines.extend(
                textwrap.wrap(line, width=width - len(indent), break_long_words=False, break_on_hyphens=False) or [""]
            )
        out.append("\n".join(indent + ln if ln else "" for ln in lines))
    return ("\n\n").join(out).lstrip()
