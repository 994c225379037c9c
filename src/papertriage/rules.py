"""Rules as data: load YAML rule files, validate them in full, merge user
rules over the defaults, and compile them once into per-facet matchers.

A rule file looks like this::

    settings:                 # optional, only in the first file that sets them
      title_weight: 2         # one title hit counts this much
      abstract_weight: 1
      repeat_weight: 0.5      # each further occurrence of the same phrase
      repeat_cap: 2           # at most this many further occurrences count
      threshold: 2            # evidence a label needs unless the label says otherwise
    labels:                   # optional: declare new labels, or change thresholds
      modality:
        eeg: {threshold: 1, description: "electroencephalography recordings"}
        audio: {unless: [speech, music], unless_ratio: 1}   # speech/music papers say "audio" too
    facets:                   # optional: keep at most 3 task labels, each with
      task: {max_labels: 3, min_share: 0.3}   # >= 30% of the best task's score
    multimodal:               # derived boolean tag
      min_modalities: 2
      threshold: 1
    rules:
      - id: modality.speech.core
        facet: modality       # modality | task | multimodal
        label: speech         # or a list of labels of the same facet
        phrases: [speech, spoken language, utterance]
        patterns: ['voice[- ]?(?:conversion|cloning)']   # regexes (case-insensitive)
        case_sensitive: [ASR]                           # literals matched with exact case
        exclude: [hate speech, part-of-speech]          # vetoes the matches they overlap
        exclude_patterns: []
        fields: [title, abstract]                      # where a match counts
        weight: 1                                       # per distinct hit
      - id: modality.speech.core                        # in a user file: override by id
        extend: true                                    # ... or add to the default rule
        phrases: [voice]
      - id: task.parsing.core
        disabled: true                                  # ... or switch it off

Literal phrases match on word boundaries, case-insensitively, with any run of
spaces or hyphens between words and an optional plural ``s``/``es``.
"""

from __future__ import annotations

import hashlib
import os
import re

TYPE_CHECKING = False  # typing is not imported at run time (start-up)
if TYPE_CHECKING:
    from pathlib import Path
    from typing import Any


from .errors import RulesError
from .models import _Struct
from . import regexes

FACETS = ("modality", "task", "multimodal")
FIELDS = ("title", "abstract")
RULE_KEYS = {
    "id",
    "facet",
    "label",
    "phrases",
    "patterns",
    "case_sensitive",
    "exclude",
    "exclude_patterns",
    "fields",
    "weight",
    "disabled",
    "extend",
    "description",
}
TOP_KEYS = {"settings", "labels", "rules", "multimodal", "version", "facets"}
FACET_KEYS = {"max_labels", "min_share"}
SETTING_KEYS = {"title_weight", "abstract_weight", "repeat_weight", "repeat_cap", "threshold"}
LABEL_KEYS = {"threshold", "description", "unless", "unless_ratio"}
MULTIMODAL_KEYS = {"min_modalities", "threshold"}
DEFAULT_SETTINGS = {
    "title_weight": 2.0,
    "abstract_weight": 1.0,
    "repeat_weight": 0.5,
    "repeat_cap": 2,
    "threshold": 2.0,
}
LABEL_RE = regexes.compile(r"^[a-z0-9][a-z0-9\-]*$")
ID_RE = regexes.compile(r"^[A-Za-z0-9_][A-Za-z0-9_.\-]*$")
MAX_RULE_FILE_BYTES = 4 * 1024 * 1024
MAX_ALIASES = 200
MAX_PATTERN_LEN = 2000


# ---------------------------------------------------------------------------
# YAML loading with line numbers and bounded aliases


class _LineDict(dict):
    line: int = 0


_LOADER: Any = None


def _loader_class() -> Any:
    """A SafeLoader that records the line of every mapping and bounds aliases
    (built on first use: YAML is only imported when rule files are parsed)."""
    global _LOADER
    if _LOADER is not None:
        return _LOADER
    import yaml

    class SafeLineLoader(yaml.SafeLoader):
        def __init__(self, stream: Any) -> None:
            super().__init__(stream)
            self._aliases = 0

        def compose_node(self, parent: Any, index: Any) -> Any:  # type: ignore[override]
            if self.check_event(yaml.AliasEvent):
                self._aliases += 1
                if self._aliases > MAX_ALIASES:
                    event = self.peek_event()
                    raise yaml.YAMLError(
                        f"too many YAML aliases (more than {MAX_ALIASES}) near line {event.start_mark.line + 1}"
                    )
            return super().compose_node(parent, index)

    def construct_mapping(loader: Any, node: Any) -> _LineDict:
        loader.flatten_mapping(node)
        result = _LineDict()
        result.line = node.start_mark.line + 1
        for key_node, value_node in node.value:
            key = loader.construct_object(key_node, deep=True)
            try:
                hash(key)
            except TypeError:
                raise yaml.constructor.ConstructorError(None, None, "unhashable mapping key", key_node.start_mark) from None
            result[key] = loader.construct_object(value_node, deep=True)
        return result

    SafeLineLoader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, construct_mapping)
    _LOADER = SafeLineLoader
    return _LOADER


def _line(obj: Any) -> int:
    return getattr(obj, "line", 0)


# ---------------------------------------------------------------------------
# Regex safety


def _regex_problem(pattern: str) -> str | None:
    """Why ``pattern`` is unsafe or invalid, or ``None``.

    Rejects patterns that do not compile, that are very long, and that nest
    unbounded repeats (``(a+)+``) or repeat alternations (``(a|ab)*``): the
    shapes that backtrack catastrophically.
    """
    if len(pattern) > MAX_PATTERN_LEN:
        return f"pattern longer than {MAX_PATTERN_LEN} characters"
    try:
        re.compile(pattern)
    except re.error as exc:
        return f"regex does not compile: {exc}"
    try:
        import re._parser as sre_parse  # type: ignore[import-not-found]
        import re._constants as sre_c  # type: ignore[import-not-found]
    except ImportError:  # pragma: no cover - Python < 3.11
        import sre_constants as sre_c  # type: ignore[no-redef]
        import sre_parse  # type: ignore[no-redef]
    try:
        parsed = sre_parse.parse(pattern)
    except Exception as exc:  # pragma: no cover - compile succeeded above
        return f"regex does not parse: {exc}"
    repeats = {sre_c.MAX_REPEAT, sre_c.MIN_REPEAT}
    possessive = getattr(sre_c, "POSSESSIVE_REPEAT", None)

    def unbounded(maxv: int) -> bool:
        return maxv == sre_c.MAXREPEAT or maxv > 50

    def variable_repeat(items: Any) -> bool:
        """Whether ``items`` contain a repeat whose length can vary."""
        for op, av in items:
            if op in repeats or (possessive is not None and op == possessive):
                if av[0] != av[1] or variable_repeat(av[2]):
                    return True
            elif op == sre_c.SUBPATTERN and variable_repeat(av[-1]):
                return True
            elif op == sre_c.BRANCH and any(variable_repeat(b) for b in av[1]):
                return True
        return False

    def inner_unbounded(items: Any) -> bool:
        for op, av in items:
            if op in repeats and unbounded(av[1]):
                return True
            if op in repeats and inner_unbounded(av[2]):
                return True
            if op == sre_c.SUBPATTERN and inner_unbounded(av[-1]):
                return True
            if op == sre_c.BRANCH and any(inner_unbounded(b) for b in av[1]):
                return True
        return False

    def broad(items: Any) -> bool:
        """A single item matching almost anything: a dot or a negated class."""
        if len(items) != 1:
            return False
        op, av = items[0]
        if op in (sre_c.ANY, sre_c.NOT_LITERAL):
            return True
        if op == sre_c.IN:
            if av and av[0][0] == sre_c.NEGATE:
                return True
            cats = [v for o, v in av if o == sre_c.CATEGORY]
            return any(str(c).startswith("CATEGORY_NOT") for c in cats)
        return False

    def walk(items: Any, inside_unbounded: bool) -> str | None:
        for op, av in items:
            if op in repeats or (possessive is not None and op == possessive):
                lo, hi, sub = av
                ub = unbounded(hi)
                if op != possessive:
                    if ub and inside_unbounded:
                        return "nested unbounded repeats (such as (a+)+) can take exponential time"
                    if ub and inner_unbounded(sub):
                        return "nested unbounded repeats (such as (a+)+) can take exponential time"
                    if hi > 1 and variable_repeat(sub):
                        return "a repeat of a repeat (such as (a+){2,} or (.*a){20}) can take exponential time"
                    if ub and _has_branch(sub):
                        return "an unbounded repeat of an alternation (such as (a|ab)*) can take exponential time"
                    if ub and broad(sub):
                        return "an unbounded repeat of '.' or a negated class can scan the whole text; use a bounded one such as .{0,40}"
                res = walk(sub, inside_unbounded or ub)
                if res:
                    return res
            elif op == sre_c.SUBPATTERN:
                res = walk(av[-1], inside_unbounded)
                if res:
                    return res
            elif op == sre_c.BRANCH:
                for branch in av[1]:
                    res = walk(branch, inside_unbounded)
                    if res:
                        return res
            elif op in (sre_c.ASSERT, sre_c.ASSERT_NOT):
                res = walk(av[1], inside_unbounded)
                if res:
                    return res
            elif op == sre_c.GROUPREF_EXISTS:
                return "conditional groups are not supported in rules"
            elif op == sre_c.GROUPREF:
                return "backreferences are not supported in rules"
        return None

    def _has_branch(items: Any) -> bool:
        for op, av in items:
            if op == sre_c.BRANCH:
                return True
            if op == sre_c.SUBPATTERN and _has_branch(av[-1]):
                return True
        return False

    return walk(parsed, False)


# ---------------------------------------------------------------------------
# Rule model


class Rule(_Struct):
    """One rule: phrases and patterns that give ``labels`` of a ``facet``.

    ``origin`` is the ``file:line`` where the rule was defined (last override
    wins)."""

    __slots__ = (
        "id", "facet", "labels", "phrases", "patterns", "case_sensitive", "exclude", "exclude_patterns",
        "fields", "weight", "description", "origin",
    )
    __hash__ = None  # type: ignore[assignment]  # mutable
    id: str
    facet: str
    labels: list[str]
    phrases: list[str]
    patterns: list[str]
    case_sensitive: list[str]
    exclude: list[str]
    exclude_patterns: list[str]
    fields: list[str]
    weight: float
    description: str
    origin: str

    def __init__(
        self,
        id: str,
        facet: str,
        labels: list[str],
        phrases: list[str] | None = None,
        patterns: list[str] | None = None,
        case_sensitive: list[str] | None = None,
        exclude: list[str] | None = None,
        exclude_patterns: list[str] | None = None,
        fields: list[str] | None = None,
        weight: float = 1.0,
        description: str = "",
        origin: str = "",
    ) -> None:
        self.id = id
        self.facet = facet
        self.labels = labels
        self.phrases = [] if phrases is None else phrases
        self.patterns = [] if patterns is None else patterns
        self.case_sensitive = [] if case_sensitive is None else case_sensitive
        self.exclude = [] if exclude is None else exclude
        self.exclude_patterns = [] if exclude_patterns is None else exclude_patterns
        self.fields = list(FIELDS) if fields is None else fields
        self.weight = weight
        self.description = description
        self.origin = origin

    def as_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "facet": self.facet,
            "label": self.labels if len(self.labels) > 1 else self.labels[0],
            "phrases": self.phrases,
            "patterns": self.patterns,
            "case_sensitive": self.case_sensitive,
            "exclude": self.exclude,
            "exclude_patterns": self.exclude_patterns,
            "fields": self.fields,
            "weight": self.weight,
            "description": self.description,
        }


class RuleSet(_Struct):
    """Validated, merged rules: what the engine compiles.

    * ``facet_options``: facet -> {max_labels, min_share}: at most this many
      labels, each with at least this share of the best label's score.
    * ``suppress``: (facet, label) -> (labels, ratio): the label is dropped
      when one of these labels is given and its score is below ``ratio``
      times that label's.
    """

    __slots__ = (
        "rules", "settings", "thresholds", "descriptions", "multimodal", "builtin_labels", "files",
        "facet_options", "suppress",
    )
    __hash__ = None  # type: ignore[assignment]  # mutable

    def __init__(
        self,
        rules: list[Rule],
        settings: dict[str, float],
        thresholds: dict[tuple[str, str], float],
        descriptions: dict[tuple[str, str], str],
        multimodal: dict[str, float],
        builtin_labels: dict[str, set[str]],
        files: list[str],
        facet_options: dict[str, dict[str, float]] | None = None,
        suppress: dict[tuple[str, str], tuple[list[str], float]] | None = None,
    ) -> None:
        self.rules = rules
        self.settings = settings
        self.thresholds = thresholds
        self.descriptions = descriptions
        self.multimodal = multimodal
        self.builtin_labels = builtin_labels
        self.files = files
        self.facet_options = {} if facet_options is None else facet_options
        self.suppress = {} if suppress is None else suppress

    def to_data(self) -> dict[str, Any]:
        """Plain data (for the on-disk cache)."""
        return {
            "rules": [dict(r.as_dict(), label=list(r.labels), origin=r.origin) for r in self.rules],
            "settings": dict(self.settings),
            "thresholds": [[f, l, t] for (f, l), t in self.thresholds.items()],
            "descriptions": [[f, l, d] for (f, l), d in self.descriptions.items()],
            "multimodal": dict(self.multimodal),
            "builtin": {f: sorted(v) for f, v in self.builtin_labels.items()},
            "files": list(self.files),
            "suppress": [[f, l, u, r] for (f, l), (u, r) in self.suppress.items()],
            "facet_options": self.facet_options,
        }

    @classmethod
    def from_data(cls, data: dict[str, Any]) -> "RuleSet":
        rules = []
        for d in data["rules"]:
            rules.append(Rule(
                id=d["id"], facet=d["facet"], labels=list(d["label"]), phrases=list(d["phrases"]),
                patterns=list(d["patterns"]), case_sensitive=list(d["case_sensitive"]), exclude=list(d["exclude"]),
                exclude_patterns=list(d["exclude_patterns"]), fields=list(d["fields"]), weight=float(d["weight"]),
                description=d["description"], origin=d["origin"],
            ))
        return cls(
            rules=rules,
            settings=dict(data["settings"]),
            thresholds={(f, l): t for f, l, t in data["thresholds"]},
            descriptions={(f, l): d for f, l, d in data["descriptions"]},
            multimodal=dict(data["multimodal"]),
            builtin_labels={f: set(v) for f, v in data["builtin"].items()},
            files=list(data["files"]),
            suppress={(f, l): (list(u), float(r)) for f, l, u, r in data.get("suppress", [])},
            facet_options={f: dict(o) for f, o in data.get("facet_options", {}).items()},
        )

    rules: list[Rule]
    settings: dict[str, float]
    thresholds: dict[tuple[str, str], float]
    descriptions: dict[tuple[str, str], str]
    multimodal: dict[str, float]
    builtin_labels: dict[str, set[str]]
    files: list[str]
    facet_options: dict[str, dict[str, float]]
    suppress: dict[tuple[str, str], tuple[list[str], float]]

    def labels(self, facet: str) -> list[str]:
        """Every label of a facet, built-in first, in a stable order."""
        seen: dict[str, None] = {}
        for label in sorted(self.builtin_labels.get(facet, set())):
            seen[label] = None
        for rule in self.rules:
            if rule.facet == facet:
                for label in rule.labels:
                    seen.setdefault(label, None)
        for (f, label) in self.thresholds:
            if f == facet:
                seen.setdefault(label, None)
        return list(seen)

    def threshold(self, facet: str, label: str) -> float:
        return self.thresholds.get((facet, label), self.settings["threshold"])

    @property
    def digest(self) -> str:
        import json

        from . import __version__

        payload = {
            "version": __version__,
            "rules": [r.as_dict() for r in self.rules],
            "settings": self.settings,
            "thresholds": sorted([f, l, t] for (f, l), t in self.thresholds.items()),
            "multimodal": self.multimodal,
            "suppress": sorted([f, l, u, r] for (f, l), (u, r) in self.suppress.items()),
            "facets": self.facet_options,
        }
        blob = json.dumps(payload, sort_keys=True, ensure_ascii=False).encode("utf-8")
        return hashlib.sha256(blob).hexdigest()[:16]


# ---------------------------------------------------------------------------
# Loading and validation


def _read_yaml(text: str, name: str, problems: list[str]) -> Any:
    import yaml

    try:
        return yaml.load(text, Loader=_loader_class())  # noqa: S506 - SafeLoader subclass
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        where = f"{name}:{mark.line + 1}:{mark.column + 1}" if mark else name
        problems.append(f"{where}: YAML syntax error: {exc.problem or exc}")
    except yaml.YAMLError as exc:
        problems.append(f"{name}: YAML error: {exc}")
    except RecursionError:
        problems.append(f"{name}: YAML nested too deeply")
    return None


def _str_list(value: Any, key: str, where: str, problems: list[str]) -> list[str]:
    if value is None:
        return []
    if isinstance(value, str):
        value = [value]
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        problems.append(f"{where}: '{key}' must be a list of strings")
        return []
    out = []
    for v in value:
        if not v.strip():
            problems.append(f"{where}: '{key}' has an empty string")
            continue
        out.append(v.strip())
    return out


class _FileRules:
    """What one rule file says, before merging; ``rules`` are (raw rule, origin)."""

    __slots__ = ("name", "settings", "labels", "multimodal", "rules", "facets")

    def __init__(
        self,
        name: str,
        settings: dict[str, Any],
        labels: dict[tuple[str, str], dict[str, Any]],
        multimodal: dict[str, Any],
        rules: list[tuple[dict[str, Any], str]],
        facets: dict[str, dict[str, float]],
    ) -> None:
        self.name = name
        self.settings = settings
        self.labels = labels
        self.multimodal = multimodal
        self.rules = rules
        self.facets = facets


def _parse_file(name: str, text: str, problems: list[str]) -> _FileRules | None:
    data = _read_yaml(text, name, problems)
    if data is None:
        if not problems or not problems[-1].startswith(name):
            problems.append(f"{name}: empty rule file")
        return None
    if isinstance(data, list):
        data = {"rules": data}
    if not isinstance(data, dict):
        problems.append(f"{name}:1: a rule file is a mapping with 'rules' (or a list of rules)")
        return None
    out = _FileRules(name, {}, {}, {}, [], {})
    for key in data:
        if key not in TOP_KEYS:
            problems.append(f"{name}:{_line(data)}: unknown top-level key {key!r} (known: {', '.join(sorted(TOP_KEYS))})")
    settings = data.get("settings") or {}
    if not isinstance(settings, dict):
        problems.append(f"{name}:{_line(data)}: 'settings' must be a mapping")
    else:
        for k, v in settings.items():
            if k not in SETTING_KEYS:
                problems.append(f"{name}:{_line(settings)}: unknown setting {k!r} (known: {', '.join(sorted(SETTING_KEYS))})")
            elif not isinstance(v, (int, float)) or isinstance(v, bool) or v < 0 or v > 1000:
                problems.append(f"{name}:{_line(settings)}: setting {k!r} must be a number from 0 to 1000")
            else:
                out.settings[k] = float(v)
    labels = data.get("labels") or {}
    if not isinstance(labels, dict):
        problems.append(f"{name}:{_line(data)}: 'labels' must be a mapping of facet -> label -> options")
    else:
        for facet, entries in labels.items():
            if facet not in ("modality", "task"):
                problems.append(f"{name}:{_line(labels)}: unknown facet {facet!r} under labels (use modality or task)")
                continue
            if not isinstance(entries, dict):
                problems.append(f"{name}:{_line(labels)}: labels.{facet} must be a mapping of label -> options")
                continue
            for label, opts in entries.items():
                where = f"{name}:{_line(entries)}"
                if not isinstance(label, str) or not LABEL_RE.match(label):
                    problems.append(f"{where}: label {label!r} must be lower-case letters, digits and hyphens")
                    continue
                opts = opts if opts is not None else {}
                if not isinstance(opts, dict):
                    problems.append(f"{where}: options of label {label!r} must be a mapping")
                    continue
                for k in opts:
                    if k not in LABEL_KEYS:
                        problems.append(f"{name}:{_line(opts) or _line(entries)}: unknown key {k!r} for label {label!r} (known: {', '.join(sorted(LABEL_KEYS))})")
                thr = opts.get("threshold")
                if thr is not None and (not isinstance(thr, (int, float)) or isinstance(thr, bool) or thr <= 0 or thr > 1000):
                    problems.append(f"{where}: threshold of label {label!r} must be a positive number")
                desc = opts.get("description")
                if desc is not None and not isinstance(desc, str):
                    problems.append(f"{where}: description of label {label!r} must be a string")
                unless = opts.get("unless")
                if unless is not None and (not isinstance(unless, list) or not all(isinstance(u, str) and LABEL_RE.match(u) for u in unless)):
                    problems.append(f"{where}: 'unless' of label {label!r} must be a list of labels of the same facet")
                ratio = opts.get("unless_ratio")
                if ratio is not None and (not isinstance(ratio, (int, float)) or isinstance(ratio, bool) or not 0 < ratio <= 100):
                    problems.append(f"{where}: 'unless_ratio' of label {label!r} must be a number above 0")
                out.labels[(facet, label)] = dict(opts)
    facets = data.get("facets") or {}
    if not isinstance(facets, dict):
        problems.append(f"{name}:{_line(data)}: 'facets' must be a mapping of facet -> options")
    else:
        for facet, opts in facets.items():
            where = f"{name}:{_line(facets)}"
            if facet not in ("modality", "task"):
                problems.append(f"{where}: unknown facet {facet!r} under facets (use modality or task)")
                continue
            if not isinstance(opts, dict):
                problems.append(f"{where}: facets.{facet} must be a mapping")
                continue
            for k, v in opts.items():
                if k not in FACET_KEYS:
                    problems.append(f"{where}: unknown key {k!r} under facets.{facet} (known: {', '.join(sorted(FACET_KEYS))})")
                elif not isinstance(v, (int, float)) or isinstance(v, bool) or v < 0 or (k == "min_share" and v > 1):
                    problems.append(f"{where}: facets.{facet}.{k} must be a non-negative number" + (" up to 1" if k == "min_share" else ""))
                else:
                    out.facets.setdefault(facet, {})[k] = float(v)
    mm = data.get("multimodal") or {}
    if not isinstance(mm, dict):
        problems.append(f"{name}:{_line(data)}: 'multimodal' must be a mapping")
    else:
        for k, v in mm.items():
            if k not in MULTIMODAL_KEYS:
                problems.append(f"{name}:{_line(mm)}: unknown key {k!r} under multimodal (known: {', '.join(sorted(MULTIMODAL_KEYS))})")
            elif not isinstance(v, (int, float)) or isinstance(v, bool) or v < 0 or v > 100:
                problems.append(f"{name}:{_line(mm)}: multimodal.{k} must be a number from 0 to 100")
            else:
                out.multimodal[k] = float(v)
    rules = data.get("rules") or []
    if not isinstance(rules, list):
        problems.append(f"{name}:{_line(data)}: 'rules' must be a list")
        return out
    for i, raw in enumerate(rules):
        if not isinstance(raw, dict):
            problems.append(f"{name}: rule #{i + 1}: a rule must be a mapping with id, facet, label, ...")
            continue
        out.rules.append((raw, f"{name}:{_line(raw)}"))
    return out


def _validate_rule(raw: dict[str, Any], origin: str, problems: list[str], *, partial: bool) -> Rule | None:
    """Check one rule; ``partial`` allows omitting facet/label (extend/disable)."""
    rid = raw.get("id")
    label_for_msg = f"rule {rid!r}" if isinstance(rid, str) else "rule without id"
    where = f"{origin}: {label_for_msg}"
    ok = True
    for key in raw:
        if key not in RULE_KEYS:
            close = _closest(str(key), sorted(RULE_KEYS))
            hint = f"; did you mean {close!r}?" if close else ""
            problems.append(f"{where}: unknown key {key!r}{hint}")
            ok = False
    if not isinstance(rid, str) or not ID_RE.match(rid):
        problems.append(f"{where}: 'id' must be a string of letters, digits, '.', '_' or '-'")
        ok = False
    facet = raw.get("facet")
    if facet is not None and facet not in FACETS:
        close = _closest(str(facet), list(FACETS))
        hint = f"; did you mean {close!r}?" if close else ""
        problems.append(f"{where}: unknown facet {facet!r}{hint} (facets: {', '.join(FACETS)})")
        ok = False
    if facet is None and not partial:
        problems.append(f"{where}: missing 'facet'")
        ok = False
    label = raw.get("label")
    labels: list[str] = []
    if label is None:
        if not partial:
            problems.append(f"{where}: missing 'label'")
            ok = False
    else:
        labels = [label] if isinstance(label, str) else label if isinstance(label, list) else []
        if not labels or not all(isinstance(x, str) and LABEL_RE.match(x) for x in labels):
            problems.append(f"{where}: 'label' must be a label (lower-case letters, digits, hyphens) or a list of labels")
            ok = False
    if facet == "multimodal" and labels and labels != ["multimodal"]:
        problems.append(f"{where}: rules of facet 'multimodal' have label 'multimodal'")
        ok = False
    phrases = _str_list(raw.get("phrases"), "phrases", where, problems)
    patterns = _str_list(raw.get("patterns"), "patterns", where, problems)
    case_sensitive = _str_list(raw.get("case_sensitive"), "case_sensitive", where, problems)
    exclude = _str_list(raw.get("exclude"), "exclude", where, problems)
    exclude_patterns = _str_list(raw.get("exclude_patterns"), "exclude_patterns", where, problems)
    for pat in patterns + exclude_patterns:
        problem = _regex_problem(pat)
        if problem:
            problems.append(f"{where}: pattern {pat!r}: {problem}")
            ok = False
    for phrase in phrases + exclude + case_sensitive:
        if len(phrase) > 200:
            problems.append(f"{where}: phrase longer than 200 characters")
            ok = False
    fields = raw.get("fields", list(FIELDS))
    if isinstance(fields, str):
        fields = [fields]
    if not isinstance(fields, list) or not fields or not all(f in FIELDS for f in fields):
        problems.append(f"{where}: 'fields' must be a list of title and/or abstract")
        ok = False
        fields = list(FIELDS)
    weight = raw.get("weight", 1)
    if not isinstance(weight, (int, float)) or isinstance(weight, bool) or not (0 < weight <= 100):
        problems.append(f"{where}: 'weight' must be a number above 0 and at most 100")
        ok = False
        weight = 1
    for key in ("disabled", "extend"):
        if key in raw and not isinstance(raw[key], bool):
            problems.append(f"{where}: {key!r} must be true or false")
            ok = False
    desc = raw.get("description", "")
    if not isinstance(desc, str):
        problems.append(f"{where}: 'description' must be a string")
        ok = False
    if not partial and not (phrases or patterns or case_sensitive):
        problems.append(f"{where}: a rule needs at least one of phrases, patterns, case_sensitive")
        ok = False
    if not ok:
        return None
    return Rule(
        id=rid,  # type: ignore[arg-type]
        facet=facet or "",
        labels=labels,
        phrases=phrases,
        patterns=patterns,
        case_sensitive=case_sensitive,
        exclude=exclude,
        exclude_patterns=exclude_patterns,
        fields=list(fields),
        weight=float(weight),
        description=desc or "",
        origin=origin,
    )


def _closest(value: str, choices: list[str]) -> str | None:
    from rapidfuzz import process

    match = process.extractOne(value, choices, score_cutoff=70)
    return match[0] if match else None


def default_rule_texts() -> list[tuple[str, str]]:
    """(name, text) of the packaged default rule files, in order."""
    folder = os.path.join(os.path.dirname(os.path.abspath(__file__)), "data", "rules")
    out = []
    for name in sorted(os.listdir(folder)):
        if name.endswith((".yaml", ".yml")):
            with open(os.path.join(folder, name), encoding="utf-8") as fh:
                out.append((f"<default>/{name}", fh.read()))
    return out


def config_rule_files() -> list[Path]:
    """Rule files in ``$XDG_CONFIG_HOME/papertriage/rules/`` (sorted)."""
    base = os.environ.get("XDG_CONFIG_HOME") or os.path.join(os.path.expanduser("~"), ".config")
    folder = os.path.join(base, "papertriage", "rules")
    if not os.path.isdir(folder):
        return []
    from pathlib import Path

    return sorted(p for p in Path(folder).iterdir() if p.suffix in (".yaml", ".yml") and p.is_file())


def _read_rule_file(path: Path | str, problems: list[str]) -> str | None:
    name = str(path)
    try:
        size = os.path.getsize(path)
        if size > MAX_RULE_FILE_BYTES:
            problems.append(f"{name}: rule file larger than {MAX_RULE_FILE_BYTES // (1024 * 1024)} MiB")
            return None
        with open(path, "rb") as fh:
            data = fh.read()
    except FileNotFoundError:
        problems.append(f"{name}: no such rule file")
        return None
    except IsADirectoryError:
        problems.append(f"{name}: is a directory, not a rule file")
        return None
    except OSError as exc:
        problems.append(f"{name}: cannot read rule file: {exc.strerror or exc}")
        return None
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        problems.append(f"{name}: rule file is not UTF-8 text (byte {exc.start})")
        return None


def rule_sources(user_files: list[str | Path] | None = None, *, use_config: bool = True, use_defaults: bool = True) -> tuple[list[tuple[str, str, bool]], list[str]]:
    """(name, text, is_default) of every rule file in effect, and problems
    reading them."""
    problems: list[str] = []
    texts: list[tuple[str, str, bool]] = []
    if use_defaults:
        texts.extend((n, t, True) for n, t in default_rule_texts())
    paths: list[str | Path] = []
    if use_config:
        paths.extend(config_rule_files())
    paths.extend(user_files or [])
    for p in paths:
        text = _read_rule_file(p, problems)
        if text is not None:
            texts.append((str(p), text, False))
    return texts, problems


def load_rules(user_files: list[str | Path] | None = None, *, use_config: bool = True, use_defaults: bool = True) -> RuleSet:
    """Load defaults, config-folder rules and ``user_files``; validate everything,
    then merge. Raises :class:`RulesError` listing every problem."""
    texts, problems = rule_sources(user_files, use_config=use_config, use_defaults=use_defaults)
    return parse_rules(texts, problems)


def parse_rules(texts: list[tuple[str, str, bool]], problems: list[str] | None = None) -> RuleSet:
    problems = list(problems or [])
    parsed: list[tuple[_FileRules, bool]] = []
    for name, text, is_default in texts:
        fr = _parse_file(name, text, problems)
        if fr is not None:
            parsed.append((fr, is_default))
    return _merge(parsed, problems, [n for n, _, d in texts if not d])


def _merge(parsed: list[tuple[_FileRules, bool]], problems: list[str], user_names: list[str]) -> RuleSet:
    settings = dict(DEFAULT_SETTINGS)
    thresholds: dict[tuple[str, str], float] = {}
    descriptions: dict[tuple[str, str], str] = {}
    suppress: dict[tuple[str, str], tuple[list[str], float]] = {}
    multimodal = {"min_modalities": 2.0, "threshold": 1.0}
    rules: dict[str, Rule] = {}
    builtin: dict[str, set[str]] = {f: set() for f in FACETS}
    declared: dict[str, set[str]] = {f: set() for f in FACETS}
    facet_opts: dict[str, dict[str, float]] = {}
    user_defined: dict[str, str] = {}
    for fr, is_default in parsed:
        settings.update(fr.settings)
        for f, opts in fr.facets.items():
            facet_opts.setdefault(f, {}).update(opts)
        multimodal.update(fr.multimodal)
        for (facet, label), opts in fr.labels.items():
            declared[facet].add(label)
            if is_default:
                builtin[facet].add(label)
            if "threshold" in opts and isinstance(opts["threshold"], (int, float)):
                thresholds[(facet, label)] = float(opts["threshold"])
            if isinstance(opts.get("description"), str):
                descriptions[(facet, label)] = opts["description"]
            if isinstance(opts.get("unless"), list):
                ratio = opts.get("unless_ratio", 1.0)
                suppress[(facet, label)] = (list(opts["unless"]), float(ratio if isinstance(ratio, (int, float)) else 1.0))
        ids_in_file: dict[str, str] = {}
        for raw, origin in fr.rules:
            rid = raw.get("id")
            partial = isinstance(rid, str) and rid in rules and not is_default
            if isinstance(rid, str):
                if rid in ids_in_file:
                    problems.append(f"{origin}: rule {rid!r}: duplicate id (first defined at {ids_in_file[rid]})")
                    continue
                ids_in_file[rid] = origin
                if is_default and rid in rules:
                    problems.append(f"{origin}: rule {rid!r}: duplicate id (first defined at {rules[rid].origin})")
                    continue
            disabled = raw.get("disabled") is True
            extend = raw.get("extend") is True
            if isinstance(rid, str) and not is_default and not (disabled or extend):
                first = user_defined.get(rid)
                if first is not None:
                    problems.append(
                        f"{origin}: rule {rid!r}: also defined at {first}; two rule files define the same rule"
                        " (use extend: true to add to it, or rename one)"
                    )
                    continue
                user_defined[rid] = origin
            if (disabled or extend) and isinstance(rid, str) and rid not in rules:
                close = _closest(rid, list(rules))
                hint = f"; did you mean {close!r}?" if close else ""
                problems.append(f"{origin}: rule {rid!r}: {'disables' if disabled else 'extends'} a rule that does not exist{hint}")
                continue
            rule = _validate_rule(raw, origin, problems, partial=partial or disabled or extend)
            if rule is None:
                continue
            if disabled:
                rules.pop(rule.id, None)
                continue
            if extend:
                base = rules[rule.id]
                if rule.facet and rule.facet != base.facet:
                    problems.append(f"{origin}: rule {rule.id!r}: extend cannot change the facet ({base.facet})")
                    continue
                for attr in ("phrases", "patterns", "case_sensitive", "exclude", "exclude_patterns"):
                    merged = getattr(base, attr) + [x for x in getattr(rule, attr) if x not in getattr(base, attr)]
                    setattr(base, attr, merged)
                if rule.labels:
                    base.labels = base.labels + [x for x in rule.labels if x not in base.labels]
                if "weight" in raw:
                    base.weight = rule.weight
                if "fields" in raw:
                    base.fields = rule.fields
                base.origin = origin
                continue
            if partial:
                # Override by id: the new definition replaces the old one; what
                # it leaves out is taken from the old one.
                base = rules[rule.id]
                rule.facet = rule.facet or base.facet
                rule.labels = rule.labels or base.labels
                if not (rule.phrases or rule.patterns or rule.case_sensitive):
                    rule.phrases, rule.patterns, rule.case_sensitive = base.phrases, base.patterns, base.case_sensitive
            if is_default:
                for label in rule.labels:
                    builtin[rule.facet].add(label)
            rules[rule.id] = rule
    # New labels in user rules: catch look-alikes of known labels (typos).
    for rule in rules.values():
        known = builtin.get(rule.facet, set())
        for label in rule.labels:
            if label in known or label in declared[rule.facet] or rule.facet == "multimodal":
                continue
            close = _closest(label, sorted(known))
            from rapidfuzz import fuzz

            if close and (fuzz.ratio(label, close) >= 80 or label.replace("-", "") == close.replace("-", "")):
                problems.append(
                    f"{rule.origin}: rule {rule.id!r}: label {label!r} looks like the built-in {rule.facet} label {close!r};"
                    f" use {close!r}, or declare {label!r} under labels.{rule.facet} to add it as a new label"
                )
    if problems:
        raise RulesError(problems)
    return RuleSet(
        rules=list(rules.values()),
        settings=settings,
        thresholds=thresholds,
        descriptions=descriptions,
        multimodal=multimodal,
        builtin_labels=builtin,
        files=user_names,
        suppress=suppress,
        facet_options=facet_opts,
    )
