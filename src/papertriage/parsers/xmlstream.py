"""Incremental, hardened XML reading for the XML dialects (Atom/RSS, OAI-PMH).

The input is fed to expat in 64 KiB chunks; a handler turns element events
into records as each entry closes, so memory holds one entry at a time.
Entity declarations and external references are refused, the same checks
defusedxml makes: "billion laughs" expansion and reading local files through
external entities cannot happen. Namespace processing is off and handlers see
local names (``arxiv:doi`` -> ``doi``), so a document that declares its default
namespace on only some elements reads the same as a fully namespaced one.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from xml.parsers import expat

from ..errors import InputError
from ..models import Record
from .base import InputSource
from .. import regexes

CHUNK = 1 << 16

_HTML = regexes.compile(r"^\s*(?:<!--.*?-->\s*)*<(?:!doctype\s+html|html[\s>])", re.IGNORECASE | re.DOTALL)
_XML_START = regexes.compile(
    r"^\s*(?:<\?xml[^>]*>\s*)?(?:<!--.*?-->\s*)*<(?:!DOCTYPE\s+)?([A-Za-z_][\w.\-]*:)?([A-Za-z_][\w.\-]*)", re.DOTALL
)


def looks_html(text: str) -> bool:
    return bool(_HTML.match(text))


def root_name(text: str) -> str | None:
    """Local name of the first element (or DOCTYPE) in ``text``, if it starts like XML."""
    m = _XML_START.match(text)
    return m.group(2) if m else None


class _Refused(Exception):
    """Raised inside expat callbacks; turned into one InputError."""


class Handler:
    """Base class for element handlers: ``records`` collects finished records."""

    def __init__(self, src: InputSource) -> None:
        self.src = src
        self.records: list[Record] = []
        self.parser: expat.XMLParserType | None = None
        self._local: dict[str, str] = {}

    @property
    def line(self) -> int:
        return self.parser.CurrentLineNumber if self.parser is not None else 0

    def local(self, name: str) -> str:
        cached = self._local.get(name)
        if cached is None:
            cached = self._local[name] = name.rpartition(":")[2]
        return cached

    # Callbacks (expat calls them with the qualified name).
    def start(self, name: str, attrs: dict[str, str]) -> None:  # pragma: no cover - interface
        raise NotImplementedError

    def end(self, name: str) -> None:  # pragma: no cover - interface
        raise NotImplementedError

    def data(self, text: str) -> None:  # pragma: no cover - interface
        raise NotImplementedError

    def finish(self) -> None:
        """Called once after the whole document was read."""


def _refuse_entity(name, is_parameter_entity, value, base, sysid, pubid, notation_name):  # noqa: ANN001
    raise _Refused(f"the XML declares the entity {name!r}; entity declarations are refused")


def _refuse_unparsed(name, base, sysid, pubid, notation_name):  # noqa: ANN001
    raise _Refused(f"the XML declares the entity {name!r}; entity declarations are refused")


def _refuse_external(context, base, sysid, pubid):  # noqa: ANN001
    raise _Refused(f"the XML refers to an external entity ({sysid or pubid!r}); external references are refused")


def stream_xml(src: InputSource, handler: Handler) -> Iterator[Record]:
    """Feed ``src`` to ``handler`` and yield its records as they are finished.

    Malformed or truncated XML: the records finished before the problem are
    yielded, then :class:`InputError` names the line.
    """
    parser = expat.ParserCreate()
    parser.buffer_text = True
    parser.buffer_size = CHUNK
    parser.SetParamEntityParsing(expat.XML_PARAM_ENTITY_PARSING_NEVER)
    parser.EntityDeclHandler = _refuse_entity
    parser.UnparsedEntityDeclHandler = _refuse_unparsed
    parser.ExternalEntityRefHandler = _refuse_external
    parser.StartElementHandler = handler.start
    parser.EndElementHandler = handler.end
    parser.CharacterDataHandler = handler.data
    handler.parser = parser
    stream = src.binary()
    while True:
        try:
            chunk = stream.read(CHUNK)
        except OSError as exc:
            raise InputError(src.path, f"cannot read: {exc.strerror or exc}") from None
        final = not chunk
        error: InputError | None = None
        try:
            parser.Parse(chunk, final)
        except _Refused as exc:
            error = InputError(
                src.path,
                str(exc),
                line=parser.CurrentLineNumber,
                hint="papertriage does not expand XML entities; remove the <!DOCTYPE ...> declarations",
            )
        except expat.ExpatError as exc:
            reason = expat.ErrorString(exc.code)
            if final and exc.code in (
                expat.errors.codes[expat.errors.XML_ERROR_NO_ELEMENTS],
                expat.errors.codes[expat.errors.XML_ERROR_UNCLOSED_TOKEN],
            ):
                message = f"the XML ends before its elements are closed ({reason}): truncated file?"
            else:
                message = f"malformed XML: {reason} (column {exc.offset + 1})"
            error = InputError(src.path, message, line=exc.lineno, hint="entries before this line were read")
        except LookupError as exc:  # an unknown encoding="..." in the XML declaration
            error = InputError(
                src.path, f"cannot read the XML: {exc}", line=parser.CurrentLineNumber, hint="save the file as UTF-8"
            )
        except RecursionError:  # pragma: no cover - defensive
            error = InputError(src.path, "XML nested too deeply", line=parser.CurrentLineNumber)
        if handler.records:
            done, handler.records = handler.records, []
            yield from done
        if error is not None:
            raise error
        if final:
            break
    handler.finish()
    if handler.records:
        done, handler.records = handler.records, []
        yield from done
