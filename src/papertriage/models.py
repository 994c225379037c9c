"""Record types shared by every part of papertriage.

Nothing here imports anything else from the package: parsers produce
:class:`Record`, the engine turns a record into a :class:`Paper` with
:class:`Evidence` and :class:`Claim` objects, and writers serialise papers.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from collections import namedtuple

TYPE_CHECKING = False  # typing is not imported at run time (start-up)
if TYPE_CHECKING:
    from typing import Any


@dataclass(frozen=True, slots=True)
class Source:
    """Where a record came from."""

    path: str
    """File path as given by the user, or ``"-"`` for standard input."""
    line: int
    """1-based line number of the record's first line (0 when not known)."""


@dataclass(frozen=True, slots=True)
class Record:
    """One paper as read from a dump, before tagging."""

    id: str
    """Short, typeable, stable id: the arXiv id when the text has one, else a
    DOI or the source's key, else ``t`` + a short hash of the normalised title."""
    title: str
    abstract: str
    """Empty string when the source has no abstract (see ``has_abstract``)."""
    source: Source
    urls: tuple[str, ...] = ()
    """URLs found in the abstract (code links) or given by the source."""
    authors: tuple[str, ...] = ()
    date: str | None = None
    """Publication or submission date as given (ISO ``YYYY-MM-DD`` or ``YYYY``)."""
    categories: tuple[str, ...] = ()
    """Categories or keywords of the source as given (e.g. ``cs.SD``); not tags."""
    doi: str | None = None
    arxiv_id: str | None = None
    extra: dict[str, Any] = field(default_factory=dict, compare=False, hash=False)
    """Fields read back from papertriage's own JSONL (status, notes, ...)."""

    @property
    def has_abstract(self) -> bool:
        return bool(self.abstract.strip())


class Evidence(namedtuple("Evidence", "facet label rule field start end text")):
    """Why a tag was given: one match of one rule.

    Fields: ``facet``, ``label``, ``rule`` (its id), ``field`` (``"title"`` or
    ``"abstract"``), ``start``, ``end`` and ``text``, with the invariant
    ``text == <field text>[start:end]``. (A named tuple: the engine creates
    many of these.)
    """

    __slots__ = ()

    def as_dict(self) -> dict[str, Any]:
        return {
            "facet": self.facet,
            "label": self.label,
            "rule": self.rule,
            "field": self.field,
            "start": self.start,
            "end": self.end,
            "text": self.text,
        }


@dataclass(frozen=True, slots=True)
class Claim:
    """A number the abstract reports as a result.

    Invariant: ``text == abstract[start:end]``; ``text`` contains the number.
    """

    metric: str
    """Canonical lower-case metric name (``accuracy``, ``wer``, ``bleu``, ...)."""
    value: float
    unit: str | None
    """``"%"``, ``"x"``, ``"fps"``, ``"points"``, ``"dB"`` or ``None``."""
    kind: str
    """``"absolute"`` (a level reached) or ``"relative"`` (an improvement/drop)."""
    dataset: str | None
    text: str
    start: int
    end: int

    def as_dict(self) -> dict[str, Any]:
        return {
            "metric": self.metric,
            "value": self.value,
            "unit": self.unit,
            "kind": self.kind,
            "dataset": self.dataset,
            "text": self.text,
            "start": self.start,
            "end": self.end,
        }


@dataclass(frozen=True, slots=True)
class SkippedNumber:
    """A number in the abstract that is deliberately not a claim (for ``explain``)."""

    text: str
    start: int
    end: int
    reason: str
    """``size``, ``count``, ``year``, ``version``, ``setting``, ``dataset-size``,
    ``no-metric`` ..."""


@dataclass(slots=True)
class Paper:
    """A tagged record: what ``tag`` writes and the library stores."""

    record: Record
    modality: list[str]
    multimodal: bool
    task: list[str]
    metric: list[str]
    claims: list[Claim]
    evidence: list[Evidence]
    rules_digest: str = ""

    @property
    def id(self) -> str:
        return self.record.id
