"""The record types: value equality, hashing, immutability, pickling, copies."""

import pickle

import pytest

from papertriage.models import Claim, Paper, Record, SkippedNumber, Source, constructor
from papertriage.runtime import fastcore
from papertriage.rules import Rule


def _record(**kw):
    base = dict(id="2401.00001", title="A title", abstract="An abstract.", source=Source("dump.txt", 3))
    base.update(kw)
    return Record(**base)


def test_records_compare_and_hash_by_value_without_extra():
    a = _record()
    b = _record(extra={"status": "include"})
    assert a == b and hash(a) == hash(b)
    assert a != _record(title="Another title")
    assert len({a, b, _record(doi="10.1/x")}) == 2
    assert a.extra == {} and a.extra is not _record().extra  # a fresh dict per record


def test_frozen_fields_cannot_be_assigned():
    rec = _record()
    with pytest.raises(AttributeError, match="cannot assign to field 'title'"):
        rec.title = "changed"
    with pytest.raises(AttributeError):
        Source("a", 1).line = 2
    with pytest.raises(AttributeError):
        del rec.id


def test_pickle_round_trip_keeps_every_field():
    claim = Claim("wer", 5.2, "%", "absolute", "LibriSpeech", "5.2% WER", 10, 18)
    paper = Paper(_record(extra={"notes": "x"}), ["speech"], False, ["speech-recognition"], ["wer"], [claim], [], "abc")
    for obj in (claim, paper, paper.record, SkippedNumber("2020", 0, 4, "year")):
        back = pickle.loads(pickle.dumps(obj))
        assert back == obj and repr(back) == repr(obj)
    assert pickle.loads(pickle.dumps(paper)).record.extra == {"notes": "x"}


def test_replace_makes_a_changed_copy():
    rec = _record()
    copy = rec.replace(authors=("A. Author",))
    assert copy.authors == ("A. Author",) and rec.authors == ()
    assert copy.replace(authors=()) == rec
    with pytest.raises(TypeError, match="no field 'author'"):
        rec.replace(author=("x",))


def test_repr_names_every_field():
    assert repr(Source("a.bib", 0)) == "Source(path='a.bib', line=0)"
    assert repr(SkippedNumber("7B", 3, 5, "size")) == "SkippedNumber(text='7B', start=3, end=5, reason='size')"


def test_mutable_types_are_unhashable_and_compare_by_value():
    rule = Rule("r1", "modality", ["speech"], phrases=["speech"])
    assert rule == Rule("r1", "modality", ["speech"], phrases=["speech"])
    assert rule.fields == ["title", "abstract"] and rule.exclude == []
    with pytest.raises(TypeError):
        hash(rule)


@pytest.mark.parametrize("cls, values", [
    (Record, ("2301.00001", "T", "A", Source("x.txt", 3), ("https://a",), ("Ann",), "2023", ("cs.SD",), "10.1/x", "2301.00001", {"k": 1})),
    (Source, ("-", 0)),
    (Claim, ("wer", 5.0, "%", "absolute", None, "WER of 5%", 0, 9)),
])
def test_the_fast_constructor_builds_what_init_builds(cls, values):
    made, built = constructor(cls)(*values), cls(*values)
    assert type(made) is cls
    assert made == built and repr(made) == repr(built) and hash(made) == hash(built)
    assert [getattr(made, f) for f in cls.__slots__] == list(values)
    assert pickle.loads(pickle.dumps(made)) == built
    with pytest.raises(AttributeError, match="cannot assign"):
        made.__setattr__(cls.__slots__[0], "x")


def test_the_c_constructor_checks_its_arguments():
    core = fastcore()
    if core is None:
        pytest.skip("the C core is not built")
    with pytest.raises(TypeError, match="11 fields but 2 values"):
        constructor(Record)("a", "b")
    with pytest.raises(TypeError, match="must be a type"):
        core.new_struct("Record", (), "a")
    with pytest.raises(TypeError, match="data descriptor"):
        core.new_struct(Source, (Source.__dict__["__init__"], Source.__dict__["line"]), "a", 1)
    with pytest.raises(TypeError):  # a field of another class
        core.new_struct(Source, (Claim.__dict__["metric"], Source.__dict__["line"]), "a", 1)
