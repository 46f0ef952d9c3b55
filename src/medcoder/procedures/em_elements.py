"""The three MDM elements read from the note: problems addressed, data reviewed and
analyzed, and the risk of patient management (AMA CPT E/M Guidelines 2021, Table 1)."""

from __future__ import annotations

import itertools
import re
from collections.abc import Sequence
from dataclasses import dataclass

from medcoder.procedures.em_rules import EMRules, data_level
from medcoder.procedures.em_text import Entry, Region, sentence_around
from medcoder.procedures.phrases import Hit, PhraseIndex
from medcoder.results import Evidence, MDMElement

# Problem kinds, each with the MDM problems level it earns on its own.
PROBLEM_LEVEL = {
    "life_threat": "high",  # threat to life or bodily function; severe exacerbation
    "chronic_worse": "moderate",  # chronic illness with exacerbation, progression, side effects
    "undiagnosed": "moderate",  # undiagnosed new problem with uncertain prognosis
    "acute_systemic": "moderate",  # acute illness with systemic symptoms
    "complicated_injury": "moderate",  # acute complicated injury
    "chronic_stable": "low",  # one stable chronic illness (two or more: moderate)
    "acute": "low",  # acute, uncomplicated illness or injury
    "unclassified": "low",  # a problem heading the rules do not recognize
    "minor": "straightforward",  # self-limited or minor (two or more: low)
}
_SEPARATE_RE = re.compile(r"[,;]|\band\b|&")
# "Medical Treatment: ...", "Additional Testing: ...": a field of the plan, not a problem.
_LABEL_RE = re.compile(r"[a-z][a-z /&'-]{2,40}:")
# "chronic" / "acute" alone say what kind a problem is, not which: name it by what follows.
_GENERIC_NAMES = frozenset({"chronic", "acute", "acute on chronic"})
# "her chronic conditions", "chronic medications": no problem named.
_VAGUE_RE = re.compile(r"\s+(?:medical\s+)?(?:problems?|conditions?|issues?|medications?|meds)\b")
# "Severe" progression: said outright, or a progression with a poor prognosis / end stage.
_SEVERE_RE = re.compile(r"\bsevere(?:ly)?\b|\bpoor prognosis\b|\bend[- ]stage\b")
# "Right patellofemoral pain syndrome, uncomplicated.": a diagnosis statement (a name, then
# its status) in a paragraph, wherever it stands.
_STATUS_TAIL_RE = re.compile(
    r",\s*(?:uncomplicated|mild|moderate|stable|unstable|resolving|improving|worsening|"
    r"benign|new|acute|chronic|unchanged)\.?\s*$"
)
_NEXT_WORDS_RE = re.compile(r"(?:[ ,-]+[a-z0-9']+){1,2}")


def _name(lowered: str, hit: Hit | str, end: int) -> str:
    if isinstance(hit, str):
        return hit
    if hit.text not in _GENERIC_NAMES:
        return hit.text
    more = _NEXT_WORDS_RE.match(lowered, hit.end, end)
    return hit.text + (more.group(0) if more else "")


_PLAN_START_RE = re.compile(
    r"^(?:continue|start|stop|increase|decrease|return|follow|recheck|check|order|refer|"
    r"will|plan|discussed|advised|counsel|reviewed|call|no |patient|she |he |we |i |the |"
    r"this |mr\.? |mrs\.? |ms\.? |a |an |new pt\b|new patient\b|est\.? pt\b|"
    r"est\.? patient\b|established\b)"
    # "The patient is a 58-year-old male who presents for follow-up": a summary, no problem.
    r"|\b(?:year-old|years old|presents|presented|returns)\b"
)


@dataclass(frozen=True, slots=True)
class Problem:
    kind: str
    name: str
    entry: Entry
    evidence: Evidence


def _span(text: str, start: int, end: int, section: str) -> Evidence:
    return Evidence(start, end, text[start:end], section)


def classify_entry(text: str, lowered: str, ix: PhraseIndex, entry: Entry) -> list[Problem]:
    """The problem(s) one assessment entry names, with the kind that sets its level."""
    s, e = entry.start, entry.end
    ev = _span(text, s, e, entry.section)

    def one(kind: str, hit: Hit | str) -> list[Problem]:
        return [Problem(kind, _name(lowered, hit, e), entry, ev)]

    life = ix.search("problems.life_threat", s, e)
    if life is not None:
        return one("life_threat", life)
    injury = ix.search("problems.complicated_injury", s, e)
    if injury is not None:
        return one("complicated_injury", injury)
    chronic = [
        h
        for h in ix.finditer("problems.chronic", s, e)
        if h.text != "chronic" or not _VAGUE_RE.match(lowered, h.end)
    ]
    if chronic and ix.search("problems.worsening", s, e):
        # AMA MDM table: a chronic illness with *severe* exacerbation, progression or
        # side effects of treatment is a high-complexity problem ("severe COPD flare").
        severe = _SEVERE_RE.search(lowered, s, e) is not None
        return one("life_threat" if severe else "chronic_worse", chronic[0])
    undiagnosed = ix.search("problems.undiagnosed", s, e)
    if undiagnosed is not None:
        return one("undiagnosed", undiagnosed)
    acute = ix.search("problems.acute", s, e)
    systemic_illness = ix.search("problems.systemic_illness", s, e)
    cues = {m.text for m in ix.finditer("problems.systemic", s, e)}
    if systemic_illness is not None or (acute is not None and len(cues) >= 2):
        return one("acute_systemic", systemic_illness or acute)  # type: ignore[arg-type]
    if chronic:
        # "Hypertension and hyperlipidemia": two problems; "diabetes with CKD": one.
        out = [Problem("chronic_stable", _name(lowered, chronic[0], e), entry, ev)]
        for before, after in itertools.pairwise(chronic):
            if _SEPARATE_RE.search(lowered, before.end, after.start):
                out.append(Problem("chronic_stable", _name(lowered, after, e), entry, ev))
        return out
    minor = list(ix.finditer("problems.minor", s, e))
    if minor:
        # AMA 2021 definitions: "a problem that is normally self-limited or minor but is
        # not resolving consistent with a definite and prescribed course is an acute,
        # uncomplicated illness" ("persistent wart", "cold not improving after 2 weeks").
        lingering = ix.search("problems.not_resolving", s, e) is not None
        return one("acute" if lingering else "minor", minor[0])
    if acute is not None:
        return one("acute", acute)
    words = lowered[s:e].split()
    if (
        (entry.item or entry.first or _STATUS_TAIL_RE.search(lowered[s:e]))
        and 0 < len(words) <= 14
        and entry.section != "plan"
        and not _PLAN_START_RE.search(lowered[s:e])
        and not _LABEL_RE.match(lowered[s:e])
    ):
        return one("unclassified", text[s:e].split(",")[0].strip(" .-")[:60])
    return []


def _rank(problem: Problem) -> int:
    return ("straightforward", "low", "moderate", "high").index(PROBLEM_LEVEL[problem.kind])


def problems_element(problems: Sequence[Problem], excluded: Sequence[Problem] = ()) -> MDMElement:
    """Number and complexity of problems addressed at the encounter."""
    seen: dict[str, Problem] = {}  # by name: one problem written twice counts once,
    for problem in problems:  # at the most complex kind it was written with
        key = problem.name.lower()
        if key not in seen or _rank(problem) > _rank(seen[key]):
            seen[key] = problem
    kinds = [p.kind for p in seen.values()]
    count = {k: kinds.count(k) for k in PROBLEM_LEVEL}
    level = max(
        (PROBLEM_LEVEL[k] for k in kinds),
        key=("straightforward", "low", "moderate", "high").index,
        default="straightforward",
    )
    if count["chronic_stable"] >= 2 and level in ("straightforward", "low"):
        level = "moderate"  # 2 or more stable chronic illnesses
    elif count["minor"] >= 2 and level == "straightforward":
        level = "low"  # 2 or more self-limited or minor problems
    parts = [f"{p.kind.replace('_', ' ')}: {p.name}" for p in seen.values()]
    detail = "; ".join(parts) if parts else "no problem addressed found"
    if excluded:
        names = ", ".join(sorted({p.name for p in excluded}))
        detail += f" (not counted, the same-day procedure's own indication: {names})"
    evidence = tuple(dict.fromkeys(p.evidence for p in seen.values()))
    return MDMElement("problems", level, detail, evidence)


# -- data ------------------------------------------------------------------------------
_BODY_STOP = frozenset({"a", "an", "the", "and", "of", "ordered", "order", "get", "obtain",
                        "results", "result", "recent", "prior", "previous", "your", "their",
                        "on", "in", "for", "to", "new", "this", "that", "plain", "had", "was",
                        "repeat", "with", "her", "his", "right", "left", "bilateral", "view",
                        "views", "diagnostic", "stat", "today", "reviewed"})  # fmt: skip
_WORD_BEFORE_RE = re.compile(r"([a-z]+)[\s-]*$")


def _test_key(rules: EMRules, lowered: str, match: Hit) -> str:
    name = rules.tests[match.text]
    if name not in rules.imaging:
        return name
    # Imaging of different body parts are different tests: "knee x-ray", "spine x-ray".
    before = _WORD_BEFORE_RE.search(lowered, max(0, match.start - 24), match.start)
    site = before.group(1) if before and before.group(1) not in _BODY_STOP else ""
    return f"{name}:{site}"


def data_element(
    text: str, lowered: str, ix: PhraseIndex, regions: Sequence[Region], rules: EMRules,
    skip: Sequence[Evidence] = (),
) -> MDMElement:  # fmt: skip
    """Amount and complexity of data reviewed and analyzed (three categories).

    ``skip``: spans not read (a same-day procedure's own statement)."""
    tests: dict[str, Evidence] = {}
    notes: dict[int, Evidence] = {}
    found: dict[str, Evidence] = {}  # historian / interpretation / discussion

    def sentence(m: Hit, region: Region) -> tuple[int, int] | None:
        if any(x.start <= m.start < x.end for x in skip):
            return None
        return sentence_around(lowered, m.start, m.end, region)

    for region in regions:
        for m in ix.finditer("tests", region.start, region.end):
            bounds = sentence(m, region)
            if bounds is None:
                continue
            s, e = bounds
            if not (
                region.section == "results"
                or ix.search("data.review_cues", s, e)
                or ix.search("data.order_cues", s, e)
            ) or ix.search("data.negation_cues", max(s, m.start - 30), m.start):
                continue  # a test named only in passing; "no prior mammogram"
            tests.setdefault(_test_key(rules, lowered, m), _span(text, s, e, region.section))
        for m in ix.finditer("data.external_notes", region.start, region.end):
            bounds = sentence(m, region)
            if bounds is not None and ix.search("data.review_cues", *bounds):
                notes.setdefault(bounds[0], _span(text, *bounds, region.section))
        for key in ("historian", "interpretation", "discussion"):
            for m in ix.finditer(f"data.{key}", region.start, region.end):
                bounds = sentence(m, region)
                if bounds is None or key in found:
                    continue
                if key == "discussion" and not ix.search("data.discussion_party", *bounds):
                    continue  # "discussed with the patient" is not category 3
                found[key] = _span(text, *bounds, region.section)
    level = data_level(
        len(tests) + len(notes), "historian" in found, "interpretation" in found,
        "discussion" in found,
    )  # fmt: skip
    parts = []
    if tests:
        parts.append(f"{len(tests)} unique test(s) ordered/reviewed ({', '.join(tests)})")
    if notes:
        parts.append(f"{len(notes)} external note source(s) reviewed")
    labels = {
        "historian": "independent historian",
        "interpretation": "independent interpretation of a test",
        "discussion": "discussion of management with an external physician/source",
    }
    parts += [labels[k] for k in labels if k in found]
    evidence = tuple(dict.fromkeys([*tests.values(), *notes.values(), *found.values()]))
    return MDMElement("data", level, "; ".join(parts) or "minimal or none", evidence)


# -- risk ------------------------------------------------------------------------------
_LONG_WORD_RE = re.compile(r"[a-z]{6,}")
_LOW_RISK = (
    ("otc", "over-the-counter drug"),
    ("otc_cues", "over-the-counter drug"),
    ("minor_surgery", "minor surgery"),
    ("low_other", "low-risk care"),
)


def risk_element(
    text: str, lowered: str, ix: PhraseIndex, regions: Sequence[Region], rules: EMRules
) -> MDMElement:
    """Risk of complications and/or morbidity or mortality of patient management."""
    found: dict[str, tuple[str, Evidence]] = {}  # level -> (what, where): first of each

    def note(level: str, what: str, region: Region, bounds: tuple[int, int]) -> None:
        found.setdefault(level, (what, _span(text, *bounds, region.section)))

    for region in regions:
        lo, hi = region.start, region.end
        for m in ix.finditer("risk.high", lo, hi):
            bounds = sentence_around(lowered, m.start, m.end, region)
            if not ix.search("risk.precaution", *bounds):  # "go to the ED if worse"
                note("high", f"decision: {m.text}", region, bounds)
        for m in ix.finditer("risk.major_surgery", lo, hi):
            bounds = sentence_around(lowered, m.start, m.end, region)
            risky = ix.search("risk.surgical_risk_factors", *bounds) is not None
            what = f"decision regarding elective major surgery: {m.text}"
            note("high" if risky else "moderate", what, region, bounds)
        for m in ix.finditer("risk.sdoh", lo, hi):
            bounds = sentence_around(lowered, m.start, m.end, region)
            note("moderate", f"social determinants of health: {m.text}", region, bounds)
        drugs = list(ix.finditer("risk.rx_drugs", lo, hi))
        if not drugs and "moderate" not in found and "high" not in found:
            # A drug not in the list, known by its ending ("-pril", "-sartan"); only
            # looked for when it could still change the level (the scan is the slow part).
            drugs = [
                Hit(w.start(), w.end(), w.group())
                for w in _LONG_WORD_RE.finditer(lowered, lo, hi)
                if w.group().endswith(rules.rx_suffixes)
            ]
        for m in drugs:
            if ix.search("risk.otc", m.start, m.end):
                continue
            bounds = sentence_around(lowered, m.start, m.end, region)
            if ix.search("risk.otc_cues", *bounds):
                note("low", f"over-the-counter drug: {m.text}", region, bounds)
            elif ix.search("risk.management_cues", *bounds):
                note("moderate", f"prescription drug management: {m.text}", region, bounds)
        for m in ix.finditer("risk.rx_words", lo, hi):
            bounds = sentence_around(lowered, m.start, m.end, region)
            note("moderate", "prescription drug management", region, bounds)
        for key, label in _LOW_RISK:
            low = ix.search(f"risk.{key}", lo, hi)
            if low is not None:
                bounds = sentence_around(lowered, low.start, low.end, region)
                note("low", f"{label}: {low.text}", region, bounds)
    for level in ("high", "moderate", "low"):
        if level in found:
            what, span = found[level]
            return MDMElement("risk", level, what, (span,))
    return MDMElement("risk", "straightforward", "minimal risk (no treatment decision found)")
