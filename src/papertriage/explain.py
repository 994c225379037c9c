"""Explanations: why a paper got each tag and claim, and why near-miss labels
were not given. Rendered with highlights on a terminal and with caret lines
(``^`` under tag evidence, ``~`` under claims) in plain text."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from .engine import LabelScore, Tagger
from .models import Claim, Paper, Record, SkippedNumber


@dataclass
class Explanation:
    paper: Paper
    scores: dict[str, dict[str, LabelScore]]
    skipped: list[SkippedNumber]
    stored: dict[str, Any] | None = None
    """The library's row for the paper (status, note, digest), when there is one."""

    def given(self) -> list[LabelScore]:
        out = []
        for facet in ("modality", "task"):
            labels = self.paper.modality if facet == "modality" else self.paper.task
            for label in labels:
                out.append(self.scores[facet][label])
        if self.paper.multimodal:
            out.append(self.scores["multimodal"]["multimodal"])
        return out

    def near_misses(self) -> list[tuple[LabelScore, str]]:
        out = []
        for facet in ("modality", "task", "multimodal"):
            for label, ls in sorted(self.scores[facet].items()):
                given = (
                    label in self.paper.modality if facet == "modality"
                    else label in self.paper.task if facet == "task"
                    else self.paper.multimodal
                )
                if given:
                    continue
                if ls.suppressed:
                    reason = f"enough evidence (score {ls.score:g}) but {ls.reason or 'outweighed by another label'}"
                elif ls.vetoes and not ls.hits:
                    v = ls.vetoes[0]
                    reason = f"vetoed by exclusion {v.text!r} (rule {v.rule}, {v.field} {v.start}-{v.end})"
                    if len(ls.vetoes) > 1:
                        reason += f" and {len(ls.vetoes) - 1} more"
                elif ls.hits and facet == "multimodal" and ls.given:
                    reason = f"joint-modelling evidence {ls.score:g} but fewer than 2 modalities were tagged"
                elif ls.hits:
                    hits = ", ".join(repr(h.text) for h in ls.hits[:4])
                    reason = f"too little evidence: score {ls.score:g} of {ls.threshold:g} needed ({hits})"
                    if ls.vetoes:
                        reason += f"; {len(ls.vetoes)} match(es) vetoed by exclusions such as {ls.vetoes[0].text!r}"
                else:
                    continue
                out.append((ls, reason))
        return out


def explain_record(tagger: Tagger, record: Record, stored: dict[str, Any] | None = None) -> Explanation:
    paper = tagger.tag(record)
    scores = tagger.score(record)
    skipped: list[SkippedNumber] = []
    try:
        from .claims import analyse_numbers
    except ImportError:  # pragma: no cover
        analyse_numbers = None
    if analyse_numbers is not None and record.abstract:
        _, skipped = analyse_numbers(record.abstract)
    tagger.settle(scores)
    return Explanation(paper, scores, skipped, stored)


def _evidence_summary(ls: LabelScore) -> str:
    parts = []
    for e in ls.hits[:6]:
        parts.append(f"{e.text!r} ({e.field} {e.start}-{e.end}, {e.rule})")
    more = f" +{len(ls.hits) - 6} more" if len(ls.hits) > 6 else ""
    return "; ".join(parts) + more


def _claim_text(c: Claim) -> str:
    from .output import format_value

    ds = f", {c.dataset}" if c.dataset else ""
    return f"{c.metric} {format_value(c.value, c.unit)} ({c.kind}{ds}) {c.text!r} abstract {c.start}-{c.end}"


def render_plain(ex: Explanation, width: int = 100) -> str:
    p = ex.paper
    lines = [f"{p.id}  {p.record.title}"]
    lines.append(
        f"modality: {', '.join(p.modality) or '-'}   multimodal: {'yes' if p.multimodal else 'no'}   "
        f"task: {', '.join(p.task) or '-'}   metric: {', '.join(p.metric) or '-'}"
    )
    if ex.stored:
        st = ex.stored
        line = f"status: {st.get('status') or 'unread'}"
        if st.get("note"):
            line += f"   note: {st['note']}"
        lines.append(line)
        if st.get("rules_digest") and st.get("rules_digest") != p.rules_digest:
            lines.append("(stored tags came from other rules; shown here with the current rules; `papertriage retag` updates the library)")
    lines.append("")
    lines.append("Tags")
    given = ex.given()
    if not given:
        lines.append("  (none)")
    for ls in given:
        lines.append(f"  {ls.facet} {ls.label}: score {ls.score:g} (needs {ls.threshold:g}): {_evidence_summary(ls)}")
    misses = ex.near_misses()
    if misses:
        lines.append("")
        lines.append("Not given")
        for ls, reason in misses:
            lines.append(f"  {ls.facet} {ls.label}: {reason}")
    lines.append("")
    lines.append("Claims")
    if not p.claims:
        lines.append("  (none)")
    for c in p.claims:
        lines.append(f"  {_claim_text(c)}")
    if ex.skipped:
        lines.append("")
        lines.append("Numbers not taken as claims")
        for s in ex.skipped:
            lines.append(f"  {s.text!r} abstract {s.start}-{s.end}: {s.reason}")
    tag_spans = {"title": [], "abstract": []}  # type: dict[str, list[tuple[int, int, str]]]
    for e in p.evidence:
        tag_spans[e.field].append((e.start, e.end, "^"))
    for c in p.claims:
        tag_spans["abstract"].append((c.start, c.end, "~"))
    lines.append("")
    lines.append("Title")
    lines.extend(_caret_block(p.record.title, tag_spans["title"], width))
    lines.append("")
    lines.append("Abstract")
    if p.record.abstract:
        lines.extend(_caret_block(p.record.abstract, tag_spans["abstract"], width))
    else:
        lines.append("  (no abstract)")
    return "\n".join(lines) + "\n"


def _wrap_offsets(text: str, width: int) -> list[tuple[int, int]]:
    """(start, end) of display lines, breaking at spaces, offsets into ``text``."""
    out = []
    i, n = 0, len(text)
    while i < n:
        end = min(i + width, n)
        if end < n:
            cut = text.rfind(" ", i + 1, end + 1)
            if cut > i:
                end = cut
        out.append((i, end))
        i = end
        while i < n and text[i] == " ":
            i += 1
    return out


def _caret_block(text: str, spans: list[tuple[int, int, str]], width: int) -> list[str]:
    text = text.replace("\n", " ").replace("\t", " ")
    marks = [" "] * len(text)
    for start, end, ch in sorted(spans, key=lambda s: s[2] == "^"):
        for k in range(max(start, 0), min(end, len(text))):
            marks[k] = ch
    out = []
    for a, b in _wrap_offsets(text, width - 2):
        out.append("  " + text[a:b])
        m = "".join(marks[a:b]).rstrip()
        if m:
            out.append("  " + m)
    return out


def render_rich(ex: Explanation, console: Any) -> None:
    from rich.text import Text

    p = ex.paper
    plain = render_plain(ex, width=max(60, console.width))
    head, _, _ = plain.partition("\nTitle\n")
    console.print(Text(head))
    style = {"^": "bold yellow", "~": "bold green underline"}

    def highlighted(text: str, spans: list[tuple[int, int, str]]) -> Text:
        t = Text(text)
        for start, end, ch in spans:
            t.stylize(style[ch], start, end)
        return t

    title_spans = [(e.start, e.end, "^") for e in p.evidence if e.field == "title"]
    abs_spans = [(e.start, e.end, "^") for e in p.evidence if e.field == "abstract"]
    abs_spans += [(c.start, c.end, "~") for c in p.claims]
    console.print(Text("Title", style="bold"))
    console.print(highlighted(p.record.title, title_spans))
    console.print()
    console.print(Text("Abstract", style="bold"))
    if p.record.abstract:
        console.print(highlighted(p.record.abstract, abs_spans))
    else:
        console.print("(no abstract)")
