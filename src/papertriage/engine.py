"""Apply compiled rules to records: tags with evidence, claims, metrics.

Each facet's rules compile into one regular expression, scanned once per
field: literal phrases form a character trie (so the scan costs little more
as phrases are added), exclusions come first so that, where a veto and a
phrase start at the same place, the veto wins, and regexes get a named group
each. Matches are leftmost-longest and never overlap within a facet.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any

from .models import Evidence, Paper, Record
from .rules import FACETS, SEP, Rule, RuleSet

_SEP_CHARS = re.compile(r"[\s\-\u2010\u2011]+")
WORD_BEFORE = r"(?<![^\W_])"
WORD_AFTER = r"(?![^\W_])"
MAX_FIELD_CHARS = 200_000
"""Fields longer than this are matched on their first part only."""


def canonical(phrase: str) -> str:
    """Key of a literal phrase: case-folded, separators collapsed to one space."""
    return _SEP_CHARS.sub(" ", phrase.strip()).lower()


def _trie_regex(phrases: Iterable[str]) -> str:
    """A regex matching any of ``phrases`` (canonical keys), longest first."""
    trie: dict[str, Any] = {}
    for p in phrases:
        node = trie
        for ch in p:
            node = node.setdefault(ch, {})
        node[""] = True

    def emit(node: dict[str, Any]) -> str:
        terminal = "" in node
        branches = []
        for ch in sorted(k for k in node if k):
            atom = SEP if ch == " " else re.escape(ch)
            branches.append(atom + emit(node[ch]))
        if not branches:
            return ""
        body = branches[0] if len(branches) == 1 else "(?:" + "|".join(branches) + ")"
        if terminal:
            if len(branches) == 1 and not body.startswith("(?:"):
                body = "(?:" + body + ")"
            return body + "?"
        return body

    return emit(trie)


@dataclass
class _Target:
    rule: int
    exclude: bool


@dataclass
class FacetMatcher:
    """One facet's rules compiled into one regex plus lookup tables."""

    facet: str
    rules: list[Rule]
    regex: re.Pattern[str] | None
    literal: dict[str, list[_Target]]
    xliteral: dict[str, list[_Target]]
    groups: dict[str, list[_Target]]
    cased: dict[str, list[_Target]]

    @classmethod
    def build(cls, facet: str, rules: list[Rule]) -> "FacetMatcher":
        literal: dict[str, list[_Target]] = {}
        xliteral: dict[str, list[_Target]] = {}
        groups: dict[str, list[_Target]] = {}
        cased: dict[str, list[_Target]] = {}
        xparts: list[str] = []
        parts: list[str] = []
        n = 0
        for i, rule in enumerate(rules):
            for p in rule.phrases:
                targets = literal.setdefault(canonical(p), [])
                if not any(t.rule == i for t in targets):
                    targets.append(_Target(i, False))
            for p in rule.exclude:
                targets = xliteral.setdefault(canonical(p), [])
                if not any(t.rule == i for t in targets):
                    targets.append(_Target(i, True))
            for p in rule.case_sensitive:
                targets = cased.setdefault(_SEP_CHARS.sub(" ", p.strip()), [])
                if not any(t.rule == i for t in targets):
                    targets.append(_Target(i, False))
            for p in rule.patterns:
                name = f"g{n}"
                n += 1
                parts.append(f"(?P<{name}>{p})")
                groups[name] = [_Target(i, False)]
            for p in rule.exclude_patterns:
                name = f"g{n}"
                n += 1
                xparts.append(f"(?P<{name}>{p})")
                groups[name] = [_Target(i, True)]
        alts: list[str] = []
        if xliteral:
            alts.append(f"(?P<xlit>{_trie_regex(xliteral)})(?:e?s)?")
        alts.extend(xparts)
        if literal:
            alts.append(f"(?P<lit>{_trie_regex(literal)})(?:e?s)?")
        if cased:
            alts.append(f"(?P<cs>(?-i:{_trie_regex(cased)}))(?:e?s)?")
        alts.extend(parts)
        regex = None
        if alts:
            regex = re.compile(WORD_BEFORE + "(?:" + "|".join(alts) + ")" + WORD_AFTER, re.IGNORECASE)
        return cls(facet, rules, regex, literal, xliteral, groups, cased)

    def scan(self, text: str) -> Iterator[tuple[list[_Target], int, int, str]]:
        """(targets, start, end, key) for each match in ``text``."""
        if self.regex is None or not text:
            return
        if len(text) > MAX_FIELD_CHARS:
            text = text[:MAX_FIELD_CHARS]
        literal, xliteral, groups = self.literal, self.xliteral, self.groups
        for m in self.regex.finditer(text):
            kind = m.lastgroup
            if kind == "lit":
                key = canonical(m.group("lit"))
                targets = literal.get(key)
            elif kind == "cs":
                key = _SEP_CHARS.sub(" ", m.group("cs"))
                targets = self.cased.get(key)
            elif kind == "xlit":
                key = canonical(m.group("xlit"))
                targets = xliteral.get(key)
            else:
                key = canonical(m.group(0))
                targets = groups.get(kind) if kind else None
            if targets:
                yield targets, m.start(), m.end(), key


@dataclass
class LabelScore:
    """Evidence gathered for one label of one paper (for tagging and ``explain``)."""

    facet: str
    label: str
    threshold: float
    score: float = 0.0
    hits: list[Evidence] = field(default_factory=list)
    vetoes: list[Evidence] = field(default_factory=list)

    @property
    def given(self) -> bool:
        return self.score >= self.threshold


class Tagger:
    """Rules compiled once; :meth:`tag` is called per record."""

    def __init__(self, ruleset: RuleSet, *, claims: bool = True) -> None:
        self.ruleset = ruleset
        self.digest = ruleset.digest
        self.settings = ruleset.settings
        self.matchers = {f: FacetMatcher.build(f, [r for r in ruleset.rules if r.facet == f]) for f in FACETS}
        self.thresholds = {
            f: {label: ruleset.threshold(f, label) for label in ruleset.labels(f)} for f in FACETS
        }
        self.thresholds["multimodal"] = {"multimodal": ruleset.multimodal.get("threshold", 1.0)}
        self.min_modalities = int(ruleset.multimodal.get("min_modalities", 2))
        self.field_weight = {"title": self.settings["title_weight"], "abstract": self.settings["abstract_weight"]}
        self.repeat_weight = self.settings["repeat_weight"]
        self.repeat_cap = int(self.settings["repeat_cap"])
        self.default_threshold = self.settings["threshold"]
        self._claims = None
        if claims:
            try:
                from . import claims as claims_mod
            except ImportError:  # pragma: no cover - claims module missing
                claims_mod = None
            self._claims = claims_mod

    # -- scoring ---------------------------------------------------------
    def score(self, record: Record) -> dict[str, dict[str, LabelScore]]:
        """Evidence per facet and label, including labels below threshold."""
        out: dict[str, dict[str, LabelScore]] = {}
        fields = (("title", record.title), ("abstract", record.abstract))
        fw = self.field_weight
        for facet, matcher in self.matchers.items():
            rules = matcher.rules
            labels: dict[str, LabelScore] = {}
            # per label: phrase key -> [best weight, occurrences]
            phrase_stats: dict[str, dict[str, list[float]]] = {}
            thresholds = self.thresholds[facet]
            for fname, text in fields:
                for targets, start, end, key in matcher.scan(text):
                    snippet = text[start:end]
                    for t in targets:
                        rule = rules[t.rule]
                        if fname not in rule.fields:
                            continue
                        for label in rule.labels:
                            ls = labels.get(label)
                            if ls is None:
                                ls = labels[label] = LabelScore(facet, label, thresholds.get(label, self.default_threshold))
                            ev = Evidence(facet, label, rule.id, fname, start, end, snippet)
                            if t.exclude:
                                ls.vetoes.append(ev)
                                continue
                            ls.hits.append(ev)
                            w = rule.weight * fw[fname]
                            stats = phrase_stats.setdefault(label, {})
                            st = stats.get(key)
                            if st is None:
                                stats[key] = [w, 0]
                            else:
                                if w > st[0]:
                                    st[0] = w
                                st[1] += 1
            for label, stats in phrase_stats.items():
                total = 0.0
                for best, repeats in stats.values():
                    total += best + self.repeat_weight * min(repeats, self.repeat_cap)
                labels[label].score = total
            out[facet] = labels
        return out

    def tag(self, record: Record) -> Paper:
        scores = self.score(record)
        evidence: list[Evidence] = []
        modality = []
        for label, ls in scores["modality"].items():
            if ls.given:
                modality.append(label)
                evidence.extend(ls.hits)
        task = []
        for label, ls in scores["task"].items():
            if ls.given:
                task.append(label)
                evidence.extend(ls.hits)
        multimodal = False
        mm = scores["multimodal"].get("multimodal")
        if mm is not None and mm.given and len(modality) >= self.min_modalities:
            multimodal = True
            evidence.extend(mm.hits)
        modality.sort(key=self._modality_order)
        task.sort(key=self._task_order)
        evidence.sort(key=lambda e: (e.facet != "modality", e.facet, e.field != "title", e.start))
        claims = []
        if self._claims is not None and record.abstract:
            claims = self._claims.extract_claims(record.abstract)
        metric: list[str] = []
        for c in claims:
            if c.metric not in metric:
                metric.append(c.metric)
        return Paper(record, modality, multimodal, task, metric, claims, evidence, self.digest)

    def _modality_order(self, label: str) -> tuple[int, str]:
        order = self._orders.get("modality", {})
        return (order.get(label, 1000), label)

    def _task_order(self, label: str) -> tuple[int, str]:
        order = self._orders.get("task", {})
        return (order.get(label, 1000), label)

    @property
    def _orders(self) -> dict[str, dict[str, int]]:
        cached = getattr(self, "_orders_cache", None)
        if cached is None:
            from .vocabulary import MODALITIES, TASKS

            cached = {
                "modality": {m: i for i, m in enumerate(MODALITIES)},
                "task": {t: i for i, t in enumerate(TASKS)},
            }
            self._orders_cache = cached
        return cached

    def tag_all(self, records: Iterable[Record]) -> Iterator[Paper]:
        tag = self.tag
        for r in records:
            yield tag(r)

    def labels(self, facet: str) -> list[str]:
        if facet == "metric":
            if self._claims is not None:
                return list(self._claims.known_metrics())
            return []
        return self.ruleset.labels(facet)


_TAGGER_CACHE: dict[tuple, Tagger] = {}


def get_tagger(user_rules: list[str] | None = None, *, use_config: bool = True) -> Tagger:
    """The tagger for the default rules plus config and user rule files."""
    from .rules import load_rules

    key = (tuple(user_rules or ()), use_config)
    tagger = _TAGGER_CACHE.get(key)
    if tagger is None:
        tagger = Tagger(load_rules(list(user_rules or []), use_config=use_config))
        _TAGGER_CACHE[key] = tagger
    return tagger
