"""LaTeX escapes in BibTeX field values, decoded to Unicode.

Covers what reference managers write: accents (``{\\"o}``, ``\\'e``,
``\\c{c}``, ``\\v s``), letters (``\\ss``, ``\\o``, ``\\i``), escaped specials
(``\\&``, ``\\%``, ``\\_``, ``\\{``), Zotero's text commands
(``{\\textbackslash}``, ``{\\textless}``), dashes and TeX quotes, ``~``, and
grouping braces (``{NeRF}``). Math (``$...$``) and URLs are kept as given,
and so is any command it does not know (``\\cite{x}``).
"""

from __future__ import annotations

import re
import unicodedata
from .. import regexes

_ACCENTS = {
    '"': "\u0308",
    "'": "\u0301",
    "`": "\u0300",
    "^": "\u0302",
    "~": "\u0303",
    "=": "\u0304",
    ".": "\u0307",
    "u": "\u0306",
    "v": "\u030c",
    "H": "\u030b",
    "c": "\u0327",
    "k": "\u0328",
    "r": "\u030a",
    "d": "\u0323",
    "b": "\u0331",
    "t": "\u0361",
}

_LETTERS = {
    "ss": "ß",
    "o": "ø",
    "O": "Ø",
    "ae": "æ",
    "AE": "Æ",
    "oe": "œ",
    "OE": "Œ",
    "aa": "å",
    "AA": "Å",
    "l": "ł",
    "L": "Ł",
    "i": "ı",
    "j": "ȷ",
    "dh": "ð",
    "DH": "Ð",
    "th": "þ",
    "TH": "Þ",
    "ng": "ŋ",
    "NG": "Ŋ",
}

_COMMANDS = {
    "textbackslash": "\\",
    "textless": "<",
    "textgreater": ">",
    "textasciitilde": "~",
    "textasciicircum": "^",
    "textunderscore": "_",
    "textbar": "|",
    "textbraceleft": "{",
    "textbraceright": "}",
    "textendash": "\u2013",
    "textemdash": "\u2014",
    "textquoteleft": "\u2018",
    "textquoteright": "\u2019",
    "textquotedblleft": "\u201c",
    "textquotedblright": "\u201d",
    "textquotesingle": "'",
    "textquotedbl": '"',
    "textbullet": "\u2022",
    "textdegree": "\u00b0",
    "textregistered": "\u00ae",
    "texttrademark": "\u2122",
    "textcopyright": "\u00a9",
    "copyright": "\u00a9",
    "textmu": "\u00b5",
    "textperiodcentered": "\u00b7",
    "textsection": "\u00a7",
    "S": "\u00a7",
    "P": "\u00b6",
    "pounds": "\u00a3",
    "texteuro": "\u20ac",
    "euro": "\u20ac",
    "ldots": "\u2026",
    "dots": "\u2026",
    "textellipsis": "\u2026",
    "dag": "\u2020",
    "ddag": "\u2021",
    "textasteriskcentered": "*",
    "guillemotleft": "\u00ab",
    "guillemotright": "\u00bb",
    "textexclamdown": "\u00a1",
    "textquestiondown": "\u00bf",
    "LaTeX": "LaTeX",
    "TeX": "TeX",
    "BibTeX": "BibTeX",
    "relax": "",
    "/": "",
}
# Commands whose braced argument is kept as plain text.
_TEXT_STYLE = frozenset(
    {
        "emph",
        "textit",
        "textbf",
        "textsc",
        "texttt",
        "textrm",
        "textsf",
        "textsl",
        "textup",
        "textnormal",
        "mbox",
        "text",
        "underline",
        "uppercase",
        "mathrm",
        "it",
        "bf",
        "em",
        "sc",
        "tt",
        "rm",
        "sf",
        "sl",
        "url",
        "nolinkurl",
    }
)

_SYMBOLS = {
    "&": "&",
    "%": "%",
    "$": "$",
    "#": "#",
    "_": "_",
    "{": "{",
    "}": "}",
    " ": " ",
    ",": "\u2009",
    "-": "",
    "\\": " ",
}

_TOKEN = regexes.compile(
    r"""
    (?=[hf$\\\-`'{}~])  # the first characters of the tokens below
    (?:
    (?P<url>(?:https?|ftp)://[^\s{}]+)
  | (?P<math>(?<!\\)\$[^$]+\$)
  | \\(?P<acc>["'`^~=.])\s*(?:\{\s*(?P<acc_a>\\[ij](?![A-Za-z])|[A-Za-z])\s*\}|(?P<acc_b>\\[ij](?![A-Za-z])|[A-Za-z]))
  | \\(?P<lacc>[uvHckrdbt])(?:\s*\{\s*(?P<lacc_a>\\[ij](?![A-Za-z])|[A-Za-z])\s*\}|\s+(?P<lacc_b>[A-Za-z]))
  | \\(?P<cmd>[A-Za-z]+)(?P<arg>\s*\{[^{}]*\})?(?P<sp>[ \t]*)
  | \\(?P<sym>[^A-Za-z])
  | (?P<dash>---?)
  | (?P<lq>``) | (?P<rq>'')
  | (?P<brace>[{}])
  | (?P<tilde>~)
    )
    """,
    re.VERBOSE,
)


def _base(letter: str) -> str:
    if letter.startswith("\\"):
        return "i" if letter[1] == "i" else "j"
    return letter


def _replace(m: re.Match[str]) -> str:
    kind = m.lastgroup
    if kind in ("url", "math"):
        return m.group(0)
    if m.group("acc") is not None:
        letter = _base(m.group("acc_a") or m.group("acc_b"))
        return unicodedata.normalize("NFC", letter + _ACCENTS[m.group("acc")])
    if m.group("lacc") is not None:
        letter = _base(m.group("lacc_a") or m.group("lacc_b"))
        return unicodedata.normalize("NFC", letter + _ACCENTS[m.group("lacc")])
    cmd = m.group("cmd")
    if cmd is not None:
        arg = m.group("arg")
        space = m.group("sp") or ""
        inner = arg.strip()[1:-1] if arg else None
        if cmd in _LETTERS:
            out = _LETTERS[cmd]
            return out + (decode(inner) if inner else "") + ("" if arg is None and space else space)
        if cmd in _COMMANDS:
            out = _COMMANDS[cmd]
            return out + (decode(inner) if inner else "") + ("" if arg is None and space else space)
        if cmd in _TEXT_STYLE:
            return (decode(inner) if inner is not None else "") + space
        return m.group(0)  # unknown command: as given
    if m.group("sym") is not None:
        sym = m.group("sym")
        return _SYMBOLS.get(sym, sym)
    if kind == "dash":
        return "\u2014" if len(m.group("dash")) == 3 else "\u2013"
    if kind == "lq":
        return "\u201c"
    if kind == "rq":
        return "\u201d"
    if kind == "brace":
        return ""
    if kind == "tilde":
        return " "
    return m.group(0)  # pragma: no cover


def decode(text: str) -> str:
    """LaTeX-escaped BibTeX text -> Unicode (whitespace left as is)."""
    if not text or not any(c in text for c in "\\{}-~`'$"):
        return text
    return _TOKEN.sub(_replace, text)
