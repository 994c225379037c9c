"""The input dialects besides the plain-text page fallback, in detection order."""

from __future__ import annotations

from .arxivdigest import ArxivDigestDialect
from .atom import AtomDialect
from .bibtex import BibTeXDialect
from .csvfile import CSVDialect
from .jsonl import JSONLinesDialect
from .oaipmh import OAIPMHDialect
from .ris import RISDialect

EXTRA_DIALECTS: list = [
    ArxivDigestDialect(),
    OAIPMHDialect(),
    AtomDialect(),
    JSONLinesDialect(),
    BibTeXDialect(),
    RISDialect(),
    CSVDialect(),
]
