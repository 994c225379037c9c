"""The importable API: pure functions over records, usable from scripts,
``multiprocessing``, Spark or Dask without the CLI.

    >>> from papertriage.api import tag_file
    >>> for paper in tag_file("examples/hf-papers-input-representations.txt"):
    ...     print(paper["id"], paper["modality"])
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import Any

from .engine import Tagger, get_tagger
from .models import Record
from .output import paper_to_dict


def tag_record(record: Record, tagger: Tagger | None = None) -> dict[str, Any]:
    """One record -> its JSONL dict (tags, evidence, claims)."""
    tagger = tagger or get_tagger(use_config=False)
    return paper_to_dict(tagger.tag(record))


def tag_records(records: Iterable[Record], tagger: Tagger | None = None) -> Iterator[dict[str, Any]]:
    tagger = tagger or get_tagger(use_config=False)
    tag = tagger.tag
    for r in records:
        yield paper_to_dict(tag(r))


def tag_text(title: str, abstract: str, tagger: Tagger | None = None) -> dict[str, Any]:
    """Tag a title and abstract given as strings."""
    from .ids import find_urls, make_id
    from .models import Source

    rec = Record(make_id(title), title, abstract, Source("-", 0), urls=find_urls(abstract))
    return tag_record(rec, tagger)


def tag_file(path: str, *, input_format: str | None = None, tagger: Tagger | None = None) -> Iterator[dict[str, Any]]:
    """Stream the tagged papers of a dump (any supported format)."""
    from .parsers import read_source

    yield from tag_records(read_source(path, input_format=input_format), tagger)
