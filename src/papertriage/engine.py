"""Apply compiled rules to records: tags with evidence, claims, metrics.

:mod:`papertriage.matcher` finds the occurrences of every phrase; here they
are resolved per facet, weighed (title more than abstract, distinct phrases
more than repeats) and turned into tags when a label's evidence reaches its
threshold. Every tag keeps the matches that produced it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from operator import itemgetter

TYPE_CHECKING = False  # typing is not imported at run time (start-up)
if TYPE_CHECKING:
    from typing import Any

from .models import Evidence, Paper, Record
from .rules import FACETS, RuleSet


@dataclass
class LabelScore:
    """Evidence gathered for one label of one paper (for tagging and ``explain``)."""

    facet: str
    label: str
    threshold: float
    score: float = 0.0
    hits: list[Evidence] = field(default_factory=list)
    vetoes: list[Evidence] = field(default_factory=list)
    suppressed: bool = False
    reason: str = ""
    """Why an otherwise sufficient label was not given."""

    @property
    def given(self) -> bool:
        return self.score >= self.threshold and not self.suppressed


class Tagger:
    """Rules compiled once; :meth:`tag` is called per record."""

    def __init__(self, ruleset: RuleSet, *, claims: bool = True, tables: Any = None, digest: str | None = None) -> None:
        from .matcher import Tables

        self.ruleset = ruleset
        self.digest = digest or ruleset.digest
        self.settings = ruleset.settings
        self.tables = tables if tables is not None else Tables.build(ruleset)
        self.facet_rules = {f: [r for r in ruleset.rules if r.facet == f] for f in FACETS}
        self.thresholds = {
            f: {label: ruleset.threshold(f, label) for label in ruleset.labels(f)} for f in FACETS
        }
        self.thresholds["multimodal"] = {"multimodal": ruleset.multimodal.get("threshold", 1.0)}
        self.min_modalities = int(ruleset.multimodal.get("min_modalities", 2))
        self.field_weight = {"title": self.settings["title_weight"], "abstract": self.settings["abstract_weight"]}
        self.repeat_weight = self.settings["repeat_weight"]
        self.repeat_cap = int(self.settings["repeat_cap"])
        self.default_threshold = self.settings["threshold"]
        from .vocabulary import MODALITIES, TASKS

        self._order = {"modality": {m: i for i, m in enumerate(MODALITIES)}, "task": {t: i for i, t in enumerate(TASKS)}}
        self._claims = None
        if claims:
            try:
                from . import claims as claims_mod
            except ImportError:  # pragma: no cover - claims module missing
                claims_mod = None
            self._claims = claims_mod
        self._compile()

    # -- scoring ---------------------------------------------------------
    def score(self, record: Record) -> dict[str, dict[str, LabelScore]]:
        """Evidence per facet and label, including labels below threshold."""
        from .matcher import resolve

        entries = self.tables.entries
        scan = self.tables.scan
        fw = self.field_weight
        default = self.default_threshold
        per_field = [
            ("title", record.title, scan(record.title, "title")),
            ("abstract", record.abstract, scan(record.abstract, "abstract")),
        ]
        out: dict[str, dict[str, LabelScore]] = {}
        for fi, facet in enumerate(FACETS):
            rules = self.facet_rules[facet]
            thresholds = self.thresholds[facet]
            labels: dict[str, LabelScore] = {}
            phrase_stats: dict[str, dict[str, list[float]]] = {}
            for fname, text, occ in per_field:
                if not occ[fi]:
                    continue
                seen: set[tuple[str, int, int]] = set()
                kept, vetoed, exclusions = resolve(occ[fi])
                for start, end, idx in vetoed:
                    rule = rules[entries[idx][1]]
                    excl = next((x for x in exclusions if x[0] < end and start < x[1]), None)
                    for label in rule.labels:
                        ls = labels.get(label)
                        if ls is None:
                            ls = labels[label] = LabelScore(facet, label, thresholds.get(label, self.default_threshold))
                        xs, xe = (excl[0], excl[1]) if excl else (start, end)
                        xrule = rules[entries[excl[2]][1]].id if excl else rule.id
                        ls.vetoes.append(Evidence(facet, label, xrule, fname, xs, xe, text[xs:xe]))
                for start, end, idx in kept:
                    _, ri, _, key = entries[idx]
                    rule = rules[ri]
                    if fname not in rule.fields:
                        continue
                    snippet = text[start:end]
                    w = rule.weight * fw[fname]
                    rid = rule.id
                    for label in rule.labels:
                        ls = labels.get(label)
                        if ls is None:
                            ls = labels[label] = LabelScore(facet, label, thresholds.get(label, default))
                        span = (label, start, end)
                        if span in seen:
                            continue  # the same text already counted for this label
                        seen.add(span)
                        ls.hits.append(Evidence(facet, label, rid, fname, start, end, snippet))
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

    def suppressed(self, facet: str, scores: dict[str, LabelScore]) -> dict[str, str]:
        """Labels dropped by ``unless`` (label -> the label that outweighs it)."""
        out: dict[str, str] = {}
        rules = self.ruleset.suppress
        if not rules:
            return out
        for label, ls in scores.items():
            spec = rules.get((facet, label))
            if spec is None or not ls.given:
                continue
            others, ratio = spec
            for other in others:
                o = scores.get(other)
                if o is not None and o.given and ls.score < ratio * o.score:
                    out[label] = other
                    break
        return out

    def settle(self, scores: dict[str, dict[str, LabelScore]]) -> None:
        """Apply ``unless`` and the facet limits (``max_labels``, ``min_share``):
        labels that lose are marked ``suppressed`` (with the reason)."""
        for facet in ("modality", "task"):
            labels = scores[facet]
            for label, other in self.suppressed(facet, labels).items():
                labels[label].suppressed = True
                labels[label].reason = f"outweighed by {other}"
            opts = self.ruleset.facet_options.get(facet)
            if not opts:
                continue
            given = sorted((ls for ls in labels.values() if ls.given), key=lambda ls: (-ls.score, ls.label))
            if not given:
                continue
            top = given[0].score
            share = opts.get("min_share", 0.0)
            cap = int(opts.get("max_labels", 0)) or len(given)
            for i, ls in enumerate(given):
                if ls.score < share * top:
                    ls.suppressed = True
                    ls.reason = f"score below {share:g} of the best {facet} label's ({given[0].label}, {top:g})"
                elif i >= cap:
                    ls.suppressed = True
                    ls.reason = f"only the {cap} strongest {facet} labels are kept"

    def tag_reference(self, record: Record) -> Paper:
        """:meth:`tag` computed through :meth:`score` and :meth:`settle` (what
        ``explain`` shows); slower, and the same result."""
        scores = self.score(record)
        self.settle(scores)
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
        order = self._order
        modality.sort(key=lambda label: (order["modality"].get(label, 1000), label))
        task.sort(key=lambda label: (order["task"].get(label, 1000), label))
        evidence.sort(key=lambda e: (e.facet != "modality", e.facet, e.field != "title", e.start))
        return self._paper(record, modality, multimodal, task, evidence)

    def _paper(self, record: Record, modality: list[str], multimodal: bool, task: list[str], evidence: list[Evidence]) -> Paper:
        claims = []
        if self._claims is not None and record.abstract:
            claims = self._claims.extract_claims(record.abstract)
        metric: list[str] = []
        for c in claims:
            if c.metric not in metric:
                metric.append(c.metric)
        return Paper(record, modality, multimodal, task, metric, claims, evidence, self.digest)

    # -- the fast path -----------------------------------------------------
    def _compile(self) -> None:
        """Per matching-table entry, what a kept occurrence contributes:
        ``(labels, (weight in title, weight in abstract), phrase key, rule id)``
        (a weight is ``None`` where the rule does not count)."""
        fw = self.field_weight
        per_rule = {}
        for fi, facet in enumerate(FACETS):
            for ri, rule in enumerate(self.facet_rules[facet]):
                weights = tuple(rule.weight * fw[f] if f in rule.fields else None for f in ("title", "abstract"))
                per_rule[fi, ri] = (tuple(dict.fromkeys(rule.labels)), weights, rule.id)
        info = []
        for fi, ri, _excl, key in self.tables.entries:
            labels, weights, rid = per_rule[fi, ri]
            info.append((labels, weights, key, rid))
        self._info = info
        opts = []
        for facet in FACETS:
            o = self.ruleset.facet_options.get(facet) if facet != "multimodal" else None
            suppress = {label: spec for (f, label), spec in self.ruleset.suppress.items() if f == facet} if facet != "multimodal" else {}
            cap = int(o.get("max_labels", 0)) if o else 0
            opts.append((self.thresholds[facet], suppress, o.get("min_share", 0.0) if o else 0.0, cap, bool(o)))
        self._facet_opts = opts
        from .matcher import _fastcore, resolve, resolve_kept

        self._resolve = resolve
        self._resolve_kept = resolve_kept
        self._core = None
        self._occ_list = None
        if _fastcore is not None:  # the facet loop of :meth:`tag` in C
            core = _fastcore.TagCore(
                info, opts, FACETS, self.repeat_weight, self.repeat_cap, self.default_threshold, Evidence, FIELD_NAMES
            )
            self._core = core.tag
            if self.tables.c_scans:  # the scans hand TagCore C structs, not tuples
                self._occ_list = _fastcore.OccList

    def tag(self, record: Record) -> Paper:
        """Tags, evidence and claims of one record (the same result as
        :meth:`tag_reference`, without building a score for every label)."""
        title = record.title
        abstract = record.abstract
        texts = (title, abstract)
        occ_list = self._occ_list
        if occ_list is not None:
            scan_into = self.tables.scan_into
            per_field: tuple[list[Any], list[Any]] = (
                [occ_list() for _ in FACETS], [occ_list() for _ in FACETS]
            )
            scan_into(title, "title", per_field[0])
            scan_into(abstract, "abstract", per_field[1])
        else:
            scan = self.tables.scan
            per_field = (scan(title, "title"), scan(abstract, "abstract"))
        core = self._core
        if core is not None:
            given_per_facet, evidence_per_facet = core(per_field, texts)
        else:
            given_per_facet, evidence_per_facet = self._facets(per_field, texts)
        modality, task, mm = given_per_facet
        evidence = evidence_per_facet[0]
        multimodal = bool(mm) and len(modality) >= self.min_modalities
        if multimodal:
            evidence = evidence + evidence_per_facet[2]
        if evidence_per_facet[1]:
            evidence = evidence + evidence_per_facet[1]
        order = self._order
        if len(modality) > 1:
            modality.sort(key=lambda label: (order["modality"].get(label, 1000), label))
        if len(task) > 1:
            task.sort(key=lambda label: (order["task"].get(label, 1000), label))
        return self._paper(record, modality, multimodal, task, evidence)

    def _facets(self, per_field: tuple[list[list[Any]], ...], texts: tuple[str, str]) -> tuple[list[list[str]], list[list[Evidence]]]:
        """The given labels and their evidence, per facet, from the
        occurrences of each field (the pure-Python twin of the C core)."""
        resolve_kept = self._resolve_kept
        info = self._info
        repeat_weight = self.repeat_weight
        repeat_cap = self.repeat_cap
        default = self.default_threshold
        given_per_facet: list[list[str]] = []
        evidence_per_facet: list[list[Evidence]] = []
        for fi, facet in enumerate(FACETS):
            stats: dict[str, dict[str, list[float]]] = {}
            hits: dict[str, list[tuple[int, int, int, str]]] = {}
            for fcode in (0, 1):
                occ = per_field[fcode][fi]
                if not occ:
                    continue
                kept, vetoed = resolve_kept(occ)
                if vetoed:  # labels keep the order they were first seen in, vetoes included
                    for _s, _e, idx in self._resolve(occ)[1]:
                        for label in info[idx][0]:
                            if label not in hits:
                                hits[label] = []
                                stats[label] = {}
                prev = None
                span_labels: tuple[str, ...] = ()
                for start, neg_end, _rank, idx in kept:
                    labels, weights, key, rid = info[idx]
                    w = weights[fcode]
                    if w is None:
                        continue
                    span = (start, neg_end)
                    dup = span == prev  # the same text for another rule counts once per label
                    if not dup:
                        prev = span
                        span_labels = labels
                    for label in labels:
                        if dup:
                            if label in span_labels:
                                continue
                            span_labels = span_labels + (label,)
                        hit = (fcode, start, -neg_end, rid)
                        hl = hits.get(label)
                        if hl is None:
                            hits[label] = [hit]
                            stats[label] = {key: [w, 0]}
                            continue
                        hl.append(hit)
                        st_label = stats[label]
                        st = st_label.get(key)
                        if st is None:
                            st_label[key] = [w, 0]
                        else:
                            if w > st[0]:
                                st[0] = w
                            st[1] += 1
            given = self._given(fi, stats, repeat_weight, repeat_cap, default) if stats else []
            given_per_facet.append(given)
            found = [(fc, s, label, e, rid) for label in given for fc, s, e, rid in hits[label]]
            if len(given) > 1:  # one label's hits are already in (field, start) order
                found.sort(key=_field_and_start)
            evidence_per_facet.append(
                [_new_tuple(Evidence, (facet, label, rid, FIELD_NAMES[fc], s, e, texts[fc][s:e])) for fc, s, label, e, rid in found]
            )
        return given_per_facet, evidence_per_facet

    def _given(self, fi: int, stats: dict[str, dict[str, list[float]]], repeat_weight: float, repeat_cap: int, default: float) -> list[str]:
        """The labels of one facet that reach their threshold and survive
        ``unless`` and the facet limits, in the order they were first seen."""
        thresholds, suppress, share, max_labels, limited = self._facet_opts[fi]
        scores: dict[str, float] = {}
        given: list[str] = []
        for label, st in stats.items():
            total = 0.0
            for best, repeats in st.values():
                total += best + repeat_weight * min(repeats, repeat_cap)
            scores[label] = total
            if total >= thresholds.get(label, default):
                given.append(label)
        if suppress and given:
            out = set()
            for label in given:
                spec = suppress.get(label)
                if spec is None:
                    continue
                others, ratio = spec
                for other in others:
                    if other in given and scores[label] < ratio * scores[other]:
                        out.add(label)
                        break
            if out:
                given = [label for label in given if label not in out]
        if limited and len(given) > 0:
            ranked = sorted(given, key=lambda label: (-scores[label], label))
            top = scores[ranked[0]]
            keep = set(ranked[:max_labels] if max_labels else ranked)
            given = [label for label in given if label in keep and not scores[label] < share * top]
        return given

    def labels(self, facet: str) -> list[str]:
        return _labels(self.ruleset, facet, self._claims is not None)


def _labels(ruleset: RuleSet, facet: str, claims: bool) -> list[str]:
    """The labels of a facet: the rules' (modality, task), or the metrics
    the claims know."""
    if facet == "metric":
        if not claims:
            return []
        try:
            from .claims import known_metrics
        except ImportError:  # pragma: no cover - claims module missing
            return []
        return list(known_metrics())
    return ruleset.labels(facet)


@dataclass
class RuleLabels:
    """What filtering needs of the rules in effect (their labels and digest),
    without compiling a tagger."""

    ruleset: RuleSet
    digest: str

    def labels(self, facet: str) -> list[str]:
        return _labels(self.ruleset, facet, True)


FIELD_NAMES = ("title", "abstract")
_new_tuple = tuple.__new__  # builds an Evidence without its Python-level __new__


_field_and_start = itemgetter(0, 1)


_TAGGER_CACHE: dict[tuple, Tagger] = {}


def get_tagger(user_rules: list[str] | None = None, *, use_config: bool = True, claims: bool = True) -> Tagger:
    """The tagger for the default rules plus config and user rule files.

    Compiled rules are cached on disk (see :mod:`papertriage.cache`), keyed
    by the bytes of every rule file, so a warm start skips YAML entirely.
    """
    key = (tuple(user_rules or ()), use_config, claims)
    tagger = _TAGGER_CACHE.get(key)
    if tagger is not None:
        return tagger
    import gc

    collecting = gc.isenabled()
    # Loading creates many long-lived objects and little garbage: left on, the
    # cyclic collector would walk them again and again while they load.
    gc.disable()
    try:
        tagger = _load_tagger(user_rules, use_config=use_config, claims=claims)
    finally:
        if collecting:
            gc.enable()
    _TAGGER_CACHE[key] = tagger
    return tagger


def get_rule_labels(user_rules: list[str] | None = None, *, use_config: bool = True) -> Tagger | RuleLabels:
    """The labels and digest of the rules :func:`get_tagger` would use: read
    from the compiled rules' cache when it holds them (the matching tables are
    not loaded), else from the tagger, compiled and cached as usual."""
    tagger = _TAGGER_CACHE.get((tuple(user_rules or ()), use_config, True))
    if tagger is not None:
        return tagger
    _texts, _problems, _ckey, hit = _cached_rules(user_rules, use_config)
    if hit is not None:
        try:
            ruleset = RuleSet.from_data(hit["ruleset"])
            return RuleLabels(ruleset, hit.get("digest") or ruleset.digest)
        except Exception:  # noqa: BLE001 - a bad cache entry is rebuilt
            pass
    return get_tagger(user_rules, use_config=use_config)


def _cached_rules(user_rules: list[str] | None, use_config: bool) -> tuple[Any, Any, str | None, dict[str, Any] | None]:
    """The rule files in effect (texts, problems), their cache key (``None``
    when they have problems) and the cache entry of their compiled form."""
    from . import cache
    from .rules import rule_sources
    from .runtime import FASTCORE_ENGINE, fastcore

    texts, problems = rule_sources(list(user_rules or []), use_config=use_config)
    if problems:
        return texts, problems, None, None
    if fastcore() is not None:  # the engine's name without importing the matcher
        engine = FASTCORE_ENGINE
    else:
        from .matcher import Tables

        engine = Tables.engine_name()
    ckey = cache.key_for([(name, text.encode("utf-8")) for name, text, _ in texts], extra=engine)
    return texts, problems, ckey, cache.load("rules", ckey)


def _load_tagger(user_rules: list[str] | None, *, use_config: bool, claims: bool) -> Tagger:
    from . import cache
    from .matcher import Tables
    from .rules import parse_rules

    tagger = None
    texts, problems, ckey, hit = _cached_rules(user_rules, use_config)
    if hit is not None:
        try:
            ruleset = RuleSet.from_data(hit["ruleset"])
            automaton = (cache.loads_object(hit["automaton"]), hit["automaton_values"]) if hit.get("automaton") else None
            tables = Tables(hit["tables"], automaton=automaton)
            tagger = Tagger(ruleset, claims=claims, tables=tables, digest=hit.get("digest"))
        except Exception:  # noqa: BLE001 - a bad cache entry is rebuilt
            tagger = None
    if tagger is None:
        ruleset = parse_rules(texts, problems)
        tables = Tables.build(ruleset)
        tagger = Tagger(ruleset, claims=claims, tables=tables)
        if ckey is not None:
            value = {"ruleset": ruleset.to_data(), "tables": tables.data, "digest": tagger.digest}
            if tables.automaton is not None:
                automaton, values = tables.automaton
                value["automaton"] = cache.dumps_object(automaton)
                value["automaton_values"] = values
            cache.store("rules", ckey, value)
    return tagger
