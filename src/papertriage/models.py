"""Record types shared by every part of papertriage.

Nothing here imports anything else from the package: parsers produce
:class:`Record`, the engine turns a record into a :class:`Paper` with
:class:`Evidence` and :class:`Claim` objects, and writers serialise papers.

The classes are plain slotted classes with value equality, a readable repr
and pickling (what ``@dataclass(slots=True)`` would generate): importing
:mod:`dataclasses` costs more than a whole ``tag`` of a day's papers would
otherwise spend starting up. Code that builds one per paper takes its
constructor from :func:`constructor`.
"""

from __future__ import annotations

from collections import namedtuple

TYPE_CHECKING = False  # typing is not imported at run time (start-up)
if TYPE_CHECKING:
    from typing import Any



class _Struct:
    """Equality, hashing, repr and pickling from ``__slots__``, for the classes
    below; ``_compare`` names the fields that take part in ``==`` and
    ``hash`` (all of them unless a class says otherwise)."""

    __slots__ = ()
    _compare: tuple[str, ...] = ()

    def _values(self) -> tuple[Any, ...]:
        return tuple([getattr(self, f) for f in self.__slots__])

    def __eq__(self, other: object) -> bool:
        if other.__class__ is not self.__class__:
            return NotImplemented
        names = self._compare or self.__slots__
        return all(getattr(self, f) == getattr(other, f) for f in names)

    def __hash__(self) -> int:
        return hash(tuple([getattr(self, f) for f in self._compare or self.__slots__]))

    def __repr__(self) -> str:
        inner = ", ".join(f"{f}={getattr(self, f)!r}" for f in self.__slots__)
        return f"{self.__class__.__qualname__}({inner})"

    def __reduce__(self) -> tuple[Any, tuple[Any, ...]]:
        return (self.__class__, self._values())

    def replace(self, **changes: Any) -> Any:
        """A copy with some fields changed (like :func:`dataclasses.replace`)."""
        for name in changes:
            if name not in self.__slots__:
                raise TypeError(f"{self.__class__.__qualname__} has no field {name!r}")
        return self.__class__(*[changes[f] if f in changes else getattr(self, f) for f in self.__slots__])


class _Frozen(_Struct):
    """A :class:`_Struct` whose fields cannot be assigned after ``__init__``."""

    __slots__ = ()

    def __setattr__(self, name: str, value: Any) -> None:
        raise AttributeError(f"cannot assign to field {name!r}")

    def __delattr__(self, name: str) -> None:
        raise AttributeError(f"cannot delete field {name!r}")


_set = object.__setattr__


def constructor(cls: type) -> Any:
    """``cls(*values)``, with every field given in ``__slots__`` order, for
    code that builds one object per paper: with the C core, the fields are
    set without running ``__init__`` (whose assignments cost a Python call
    each); the same object either way, so a caller must pass what
    ``__init__`` would store (a new ``extra`` dict for a :class:`Record`)."""
    from .runtime import fastcore

    core = fastcore()
    if core is None:
        return cls
    from functools import partial

    return partial(core.new_struct, cls, tuple([cls.__dict__[name] for name in cls.__slots__]))


class Source(_Frozen):
    """Where a record came from.

    ``path``: file path as given by the user, or ``"-"`` for standard input.
    ``line``: 1-based line number of the record's first line (0 when not known).
    """

    __slots__ = ("path", "line")
    path: str
    line: int

    def __init__(self, path: str, line: int) -> None:
        _set(self, "path", path)
        _set(self, "line", line)


_NO_EXTRA: dict[str, Any] = {}


class Record(_Frozen):
    """One paper as read from a dump, before tagging.

    * ``id``: short, typeable, stable id: the arXiv id when the text has one,
      else a DOI or the source's key, else ``t`` + a short hash of the
      normalised title.
    * ``title``, ``abstract`` (empty string when the source has no abstract;
      see ``has_abstract``) and ``source``.
    * ``urls``: URLs found in the abstract (code links) or given by the source.
    * ``authors``; ``date``: publication or submission date as given (ISO
      ``YYYY-MM-DD`` or ``YYYY``); ``categories``: categories or keywords of
      the source as given (e.g. ``cs.SD``), not tags; ``doi``; ``arxiv_id``.
    * ``extra``: fields read back from papertriage's own JSONL (status,
      notes, ...); not part of equality or hashing.
    """

    __slots__ = ("id", "title", "abstract", "source", "urls", "authors", "date", "categories", "doi", "arxiv_id", "extra")
    _compare = __slots__[:-1]
    id: str
    title: str
    abstract: str
    source: Source
    urls: tuple[str, ...]
    authors: tuple[str, ...]
    date: str | None
    categories: tuple[str, ...]
    doi: str | None
    arxiv_id: str | None
    extra: dict[str, Any]

    def __init__(
        self,
        id: str,
        title: str,
        abstract: str,
        source: Source,
        urls: tuple[str, ...] = (),
        authors: tuple[str, ...] = (),
        date: str | None = None,
        categories: tuple[str, ...] = (),
        doi: str | None = None,
        arxiv_id: str | None = None,
        extra: dict[str, Any] = _NO_EXTRA,
    ) -> None:
        _set(self, "id", id)
        _set(self, "title", title)
        _set(self, "abstract", abstract)
        _set(self, "source", source)
        _set(self, "urls", urls)
        _set(self, "authors", authors)
        _set(self, "date", date)
        _set(self, "categories", categories)
        _set(self, "doi", doi)
        _set(self, "arxiv_id", arxiv_id)
        _set(self, "extra", {} if extra is _NO_EXTRA else extra)

    @property
    def has_abstract(self) -> bool:
        abstract = self.abstract
        return bool(abstract) and not abstract.isspace()  # bool(abstract.strip()), without the copy


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


class Claim(_Frozen):
    """A number the abstract reports as a result.

    Invariant: ``text == abstract[start:end]``; ``text`` contains the number.
    """

    __slots__ = ("metric", "value", "unit", "kind", "dataset", "text", "start", "end")
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

    def __init__(
        self, metric: str, value: float, unit: str | None, kind: str, dataset: str | None, text: str, start: int, end: int
    ) -> None:
        _set(self, "metric", metric)
        _set(self, "value", value)
        _set(self, "unit", unit)
        _set(self, "kind", kind)
        _set(self, "dataset", dataset)
        _set(self, "text", text)
        _set(self, "start", start)
        _set(self, "end", end)

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


class SkippedNumber(_Frozen):
    """A number in the abstract that is deliberately not a claim (for ``explain``)."""

    __slots__ = ("text", "start", "end", "reason")
    text: str
    start: int
    end: int
    reason: str
    """``size``, ``count``, ``year``, ``version``, ``setting``, ``dataset-size``,
    ``no-metric`` ..."""

    def __init__(self, text: str, start: int, end: int, reason: str) -> None:
        _set(self, "text", text)
        _set(self, "start", start)
        _set(self, "end", end)
        _set(self, "reason", reason)


class Paper(_Struct):
    """A tagged record: what ``tag`` writes and the library stores."""

    __slots__ = ("record", "modality", "multimodal", "task", "metric", "claims", "evidence", "rules_digest")
    __hash__ = None  # type: ignore[assignment]  # mutable
    record: Record
    modality: list[str]
    multimodal: bool
    task: list[str]
    metric: list[str]
    claims: list[Claim]
    evidence: list[Evidence]
    rules_digest: str

    def __init__(
        self,
        record: Record,
        modality: list[str],
        multimodal: bool,
        task: list[str],
        metric: list[str],
        claims: list[Claim],
        evidence: list[Evidence],
        rules_digest: str = "",
    ) -> None:
        self.record = record
        self.modality = modality
        self.multimodal = multimodal
        self.task = task
        self.metric = metric
        self.claims = claims
        self.evidence = evidence
        self.rules_digest = rules_digest

    @property
    def id(self) -> str:
        return self.record.id
