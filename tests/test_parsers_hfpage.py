"""The Hugging Face page dialect: every quirk of real copies."""

from __future__ import annotations

import io

import pytest

from papertriage.errors import InputError
from papertriage.parsers import read_source
from papertriage.parsers.base import InputSource

from .conftest import EXAMPLE

A1 = "We propose a method for speech recognition. It works well: WER of 2.1 on LibriSpeech."
A2 = "Images are hard. We classify them with a new network, see https://github.com/x/y."


def parse_bytes(data: bytes, warnings: list | None = None, input_format: str | None = None):
    warnings = warnings if warnings is not None else []
    return list(
        read_source(
            "-",
            stdin=io.BytesIO(data),
            input_format=input_format,
            warn=lambda path, line, msg: warnings.append((path, line, msg)),
        )
    )


def test_bundled_dump_has_333_papers_with_first_title_cleaned():
    recs = list(read_source(str(EXAMPLE)))
    assert len(recs) == 333
    assert recs[0].title == "DeFINE: DEep Factorized INput Token Embeddings for Neural Sequence Modeling"
    assert recs[0].source.line == 3
    assert recs[1].source.line == 5
    assert recs[-1].source.line == 667
    assert all(r.abstract for r in recs)
    assert len({r.id for r in recs}) == 333


def test_urls_found_in_abstract():
    recs = list(read_source(str(EXAMPLE)))
    byte = next(r for r in recs if r.title.startswith("Bytes Are All You Need"))
    assert byte.urls == ("https://github.com/apple/ml-cvnets/tree/main/examples/byteformer",)


def test_page_noise_and_glued_subscribe_removed():
    data = (
        "Get trending papers in your email inbox once a day!\n"
        "Get trending papers in your email inbox!\n"
        f"SubscribeFast ASR\n{A1}\nImage Things\n{A2}"
    ).encode()
    recs = parse_bytes(data)
    assert [r.title for r in recs] == ["Fast ASR", "Image Things"]
    assert [r.abstract for r in recs] == [A1, A2]
    assert recs[1].urls == ("https://github.com/x/y",)


def test_crlf_bom_blank_lines_and_no_final_newline():
    data = ("\ufeffFast ASR\r\n" + A1 + "\r\n\r\n\r\nImage Things\r\n" + A2).encode()
    recs = parse_bytes(data)
    assert [(r.title, r.abstract) for r in recs] == [("Fast ASR", A1), ("Image Things", A2)]
    assert [r.source.line for r in recs] == [1, 5]


def test_abstract_wrapped_over_several_lines():
    data = (
        "Fast ASR\n"
        "We propose a method for speech\n"
        "recognition. It works well:\n"
        "WER of 2.1 on LibriSpeech.\n"
        "Image Things\n"
        "Images are hard. We classify them\n"
        "with a new network.\n"
    ).encode()
    recs = parse_bytes(data)
    assert [r.title for r in recs] == ["Fast ASR", "Image Things"]
    assert recs[0].abstract == "We propose a method for speech recognition. It works well: WER of 2.1 on LibriSpeech."
    assert recs[1].abstract == "Images are hard. We classify them with a new network."


def test_title_without_abstract_at_end_is_kept_with_warning():
    warnings: list = []
    long_abstract = A1 * 5
    data = f"Fast ASR\n{long_abstract}\nA Lonely Title".encode()
    recs = parse_bytes(data, warnings)
    assert [r.title for r in recs] == ["Fast ASR", "A Lonely Title"]
    assert recs[1].abstract == "" and not recs[1].has_abstract
    assert warnings == [("-", 3, "title without an abstract: 'A Lonely Title'; kept as title-only")]


def test_invalid_utf8_is_replaced_with_a_warning_naming_the_line():
    warnings: list = []
    data = b"Fast ASR\nWe propose caf\xe9 speech recognition methods.\n"
    recs = parse_bytes(data, warnings)
    assert recs[0].abstract == "We propose caf\ufffd speech recognition methods."
    assert len(warnings) == 1
    assert warnings[0][1] == 2 and "invalid UTF-8" in warnings[0][2]


def test_binary_input_is_one_clear_error():
    with pytest.raises(InputError) as info:
        parse_bytes(bytes(range(256)) * 20)
    assert info.value.message == "-: binary data, not a text dump of papers (give a text, XML, JSON, BibTeX, RIS or CSV export)"


def test_empty_input_gives_no_records_and_a_note():
    warnings: list = []
    assert parse_bytes(b"", warnings) == []
    assert warnings == [("-", None, "empty input: no papers")]
    assert parse_bytes(b"\n\n  \r\n", []) == []


def test_ids_are_stable_and_short():
    a = parse_bytes(f"Fast ASR\n{A1}".encode())[0]
    b = parse_bytes(f"  fast   ASR  \n{A2}".encode())[0]
    assert a.id == b.id  # same normalised title
    assert a.id.startswith("t") and len(a.id) == 11


def test_arxiv_id_in_title_line_is_used():
    rec = parse_bytes(f"arXiv:2301.12345v2 Fast ASR\n{A1}".encode())[0]
    assert rec.id == "2301.12345"


def test_streaming_reads_lazily():
    """The parser yields the first record before the rest of the input is read."""

    class Endless(io.RawIOBase):
        def __init__(self):
            self.n = 0

        def readable(self):
            return True

        def readinto(self, b):
            self.n += 1
            if self.n > 100000:
                raise AssertionError("read too far")
            chunk = f"Title {self.n}\n{A1}\n".encode()
            b[: len(chunk)] = chunk
            return len(chunk)

    src = InputSource("-", io.BufferedReader(Endless()))
    from papertriage.parsers.hfpage import HFPageDialect

    it = HFPageDialect().parse(src)
    first = next(it)
    assert first.title == "Title 1"
