"""papertriage: command-line literature triage.

The importable API is small: :func:`papertriage.api.tag_records` turns
records into tagged papers, :func:`papertriage.parsers.read_source` reads a
dump, and :class:`papertriage.library.Library` is the SQLite store.
"""

__version__ = "0.1.0"
