"""ICD-10-PCS outside the Medical and Surgical section: procedure words derived from the
release's Index and Definitions, and the axes those sections have instead of approach
and device (Imaging contrast and its qualifier, Administration substance, durations and
energies written as ranges).

Words: the Index's "see" references to a type or root operation of another section
("Echocardiogram: see Ultrasonography, Heart B24"; "Dialysis, Hemodialysis: see
Performance, Urinary 5A1D"; "Barium swallow: see Fluoroscopy, Gastrointestinal BD1"),
and the Imaging and Nuclear Medicine type labels themselves with their abbreviation
("Magnetic Resonance Imaging (MRI)"). Substances: the Definitions' Substance key of the
Administration section ("Kcentra" is 4-Factor Prothrombin Complex Concentrate).
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from medcoder.codesets.pcs.model import PcsTable
from medcoder.codesets.pcs.store import PcsRelease
from medcoder.nlp.text import norm_word
from medcoder.procedures.pcs_labels import label_atoms
from medcoder.procedures.pcs_vocabulary import ProcedureEntry, norm_phrase
from medcoder.results import DroppedCandidate, ProcedureAssignment, RuleApplied

MEDICAL_SURGICAL = "0"
NEW_TECHNOLOGY = "X"  # device and drug brand names, coded from the full Index, not words
ADMINISTRATION = "3"
SUBSTANCE = 6
# Sections whose type (character 3) labels are the names notes use ("Fluoroscopy").
TYPE_NAMED = frozenset({"B", "C"})
UNDOCUMENTED = "type not documented"  # words of an axis value chosen without evidence
_NOT_LEADING = frozenset({"right", "left", "bilateral", "other"})
_PAREN = re.compile(r"\s*\(([^)]*)\)")
_TERM = re.compile(r"^[a-z][a-z0-9 -]*$")


def _term_words(term: str) -> list[str]:
    """The phrases an Index term stands for: "EEG (electroencephalogram)" -> eeg,
    electroencephalogram; "Oxygenation, Hyperbaric" -> hyperbaric oxygenation;
    "Dialysis, Hemodialysis" -> hemodialysis (the sub-term names it whole)."""
    inner = [m.group(1).strip().lower() for m in _PAREN.finditer(term)]
    bare = _PAREN.sub("", term).strip().lower()
    parts = [p.strip() for p in bare.split(",")]
    if len(parts) > 2:
        return []
    if len(parts) == 2:
        head, sub = parts
        if len(head) > 5 and head[:-3] in sub:  # "Dialysis, Hemodialysis"
            bare = sub
        elif original_sub(term).islower():  # "Plasmapheresis, therapeutic": the head names it
            bare = head
        else:  # "Oxygenation, Hyperbaric"
            bare = f"{sub} {head}"
    return [w for w in (bare, *inner) if _TERM.match(w) and len(w.split()) <= 4]


def original_sub(term: str) -> str:
    """The sub-term as the Index writes it: lower case for a modifier ("therapeutic"),
    capitalized for what names the procedure ("Hemodialysis", "Hyperbaric")."""
    parts = _PAREN.sub("", term).split(",")
    return parts[1].strip()[:1] if len(parts) == 2 else ""


def _common_start(codes: set[str]) -> str:
    """The characters every code starts with: {"5A15", "5A15A"} -> "5A15"."""
    if not codes:
        return ""
    first, last = min(codes), max(codes)
    n = 0
    while n < min(len(first), len(last)) and first[n] == last[n]:
        n += 1
    return first[:n]


def _body_part(table: PcsTable, char: str) -> str | None:
    label = next((v.label for r in table.rows for v in r.values(4) if v.code == char), None)
    return sorted(label_atoms(label)[0])[0] if label else None


def section_entries(
    release: PcsRelease, findings: frozenset[str] = frozenset()
) -> tuple[ProcedureEntry, ...]:
    """Entries for the procedures of the other sections that the Index names.

    A term sent to one table (the Index's code of 3 or more characters) names that table,
    and the body part when the code gives one; a term sent to a type or root operation
    of one section without a code names that section's tables of it. A term sent to two
    types ("Cystography": Plain Radiography or Fluoroscopy) is left for the statement's
    other words; ``findings`` are Index terms notes use for findings ("blood pressure")."""
    tables = release.tables
    sections_of: dict[str, set[str]] = {}
    for prefix, table in tables.items():
        sections_of.setdefault(table.operation.label, set()).add(prefix[0])
    refs: dict[str, list[tuple[str, str]]] = {}
    for term, target, prefix in release.index_references:
        home = prefix[:1] or "".join(sorted(sections_of.get(target, {MEDICAL_SURGICAL})))
        if len(home) != 1 or home in (MEDICAL_SURGICAL, NEW_TECHNOLOGY):
            continue
        for words in _term_words(term):
            # A phrase led by a side word ("right heart angiocardiography") or "other" would
            # make every sentence saying it a candidate: the side is read apart.
            if words not in findings and words.split()[0] not in _NOT_LEADING:
                refs.setdefault(words, []).append((target, prefix))
    out: list[ProcedureEntry] = []
    for words, sent in sorted(refs.items()):
        targets = {t for t, _ in sent}
        prefixes = {p for _, p in sent if p}
        if len(targets) != 1:
            continue
        target = next(iter(targets))
        common = _common_start(prefixes)
        if len(common) >= 3 and (p := common)[:3] in tables:  # "ECMO": 5A15, 5A15A
            body_part = _body_part(tables[p[:3]], p[3]) if len(p) >= 4 else None
            out.append(ProcedureEntry(words=(words,), table=p[:3], body_part=body_part))
        elif len(sections_of.get(target, ())) == 1:
            section = next(iter(sections_of[target]))
            out.append(ProcedureEntry(words=(words,), section=section, operation=target))
    return (*out, *_type_entries(release))


def _type_entries(release: PcsRelease) -> list[ProcedureEntry]:
    """Imaging and Nuclear Medicine types by their own names and abbreviations."""
    labels = {(p[0], t.operation.label) for p, t in release.tables.items() if p[0] in TYPE_NAMED}
    out = []
    for section, label in sorted(labels):
        if label.startswith("Other "):  # "other imaging studies" names no type
            continue
        words = [w for w in _term_words(label) if len(w) > 2]
        if words:
            out.append(ProcedureEntry(words=tuple(words), section=section, operation=label))
    return out


def substance_words(release: PcsRelease) -> dict[str, tuple[str, ...]]:
    """Administration substances by the Definitions' words for them ("Kcentra")."""
    out: dict[str, list[str]] = {}
    for (section, position, title), term in release.terms.items():
        if section == ADMINISTRATION and position == SUBSTANCE:
            out.setdefault(title, []).extend(w.lower() for w in term.includes)
    return {label: tuple(words) for label, words in out.items()}


# --- axes of the other sections --------------------------------------------------------


def _normed(*phrases: str) -> tuple[tuple[str, ...], ...]:
    return tuple(tuple(norm_word(w) for w in p.split()) for p in phrases)


# Imaging contrast (character 5 of section B, Tables): the contrast given for the study;
# "None" when it was plain. Qualifier "Unenhanced and Enhanced": images before and after.
_NO_CONTRAST = _normed(
    "without contrast", "noncontrast", "non contrast", "unenhanced", "no contrast",
    "nonenhanced", "non enhanced", "without gadolinium",
)  # fmt: skip
_BOTH = _normed("with and without", "without and with", "before and after", "pre and post")
_CONTRAST_WORDS = frozenset(
    {"contrast", "enhanced", "contrasted", "gadolinium", "barium", "iodinated", "gastrografin",
     "iohexol", "iopamidol", "iodixanol", "omnipaque", "visipaque", "isovue", "diatrizoate",
     "gadobutrol", "gadoterate"}
)  # fmt: skip
_CONTRAST = frozenset(norm_word(w) for w in _CONTRAST_WORDS)
# Agents whose kind is known: the low- and high-osmolar iodinated media, and contrast
# that is neither (gadolinium chelates for MRI, barium for the gut).
_AGENT_WORDS = {"iohexol": "Low Osmolar", "iopamidol": "Low Osmolar", "iodixanol": "Low Osmolar",
               "omnipaque": "Low Osmolar", "visipaque": "Low Osmolar", "isovue": "Low Osmolar",
               "nonionic": "Low Osmolar", "diatrizoate": "High Osmolar",
               "gastrografin": "High Osmolar", "ionic": "High Osmolar",
               "gadolinium": "Other Contrast", "gadobutrol": "Other Contrast",
               "gadoterate": "Other Contrast", "barium": "Other Contrast"}  # fmt: skip
_AGENT_KIND = {norm_word(w): kind for w, kind in _AGENT_WORDS.items()}
# IV iodinated contrast today is low-osmolar; chosen when the kind is not written, and
# named in uncertain_axes.
_USUAL_CONTRAST = ("Low Osmolar", "Other Contrast")
_LESS = ("less than", "under", "<")
_MORE = ("greater than", "more than", "over", ">")
_RANGE = re.compile(r"(less than|greater than|<|>)?\s*(\d+(?:\.\d+)?)(?:\s*-\s*(\d+(?:\.\d+)?))?")
_QUANTITY = re.compile(
    r"(?:(less than|under|<|greater than|more than|over|>)\s*)?(\d+(?:\.\d+)?)"
    r"(?:\s*(?:-|to)\s*(\d+(?:\.\d+)?))?\s*(?:consecutive\s+)?"
    r"(hours|hour|hrs|hr|h|days|day|mev)\b"
)
_DAY = 24.0


def _says(norms: Sequence[str], phrase: tuple[str, ...]) -> bool:
    if not phrase or phrase[0] not in norms:
        return False
    n = len(phrase)
    return any(
        norms[k] == phrase[0] and tuple(norms[k : k + n]) == phrase
        for k in range(len(norms) - n + 1)
    )


def _label_range(label: str) -> tuple[float, float] | None:
    """The amounts a label covers, as a half-open interval [low, high): "24-96 Consecutive
    Hours" -> [24, 96.5); "Less than 24 ..." -> [0, 24); "Greater than 96 ..." ->
    [96.5, inf); "Photons <1 MeV" -> [0, 1); "Photons 1 - 10 MeV" -> [1, 10.5)."""
    lowered = label.lower()
    m = _RANGE.search(lowered)
    if m is None or not re.search(r"hour|mev", lowered):
        return None
    word, low, high = m.group(1), float(m.group(2)), m.group(3)
    if high is not None:
        return low, float(high) + 0.5
    if word in _LESS:
        return 0.0, low
    if word in _MORE:
        return low + 0.5, float("inf")
    return None


def _quantities(text: str) -> list[tuple[float, str]]:
    """(amount, "hours" or "mev") written in the statement: "for 3 days" -> 72 hours;
    "more than 96 hours" -> 96.5 (past the bound); "less than 24 hours" -> 23.5."""
    out = []
    for m in _QUANTITY.finditer(text.lower()):
        word, low, high, unit = m.groups()
        amount = float(high) if high else float(low)
        amount += 0.5 if word in _MORE else -0.5 if word in _LESS else 0.0
        kind = "mev" if unit == "mev" else "hours"
        out.append((amount * (_DAY if unit.startswith("day") else 1.0), kind))
    return out


def _fits(label: str, quantities: list[tuple[float, str]]) -> bool:
    found = _label_range(label)
    if found is None:
        return False
    kind = "mev" if "mev" in label.lower() else "hours"
    return any(k == kind and found[0] <= q < found[1] for q, k in quantities)


def axis_evidence(
    table: PcsTable, norms: Sequence[str], raw: str,
    substances: dict[str, tuple[tuple[str, ...], ...]],
) -> dict[int, list[tuple[str, str]]]:  # fmt: skip
    """(label, words) per position 5-7 that a statement (``norms``: its normalized words,
    ``raw``: its text) documents for a table outside the Medical and Surgical section,
    the most specific first."""
    out: dict[int, list[tuple[str, str]]] = {}
    said = set(norms)
    quantities = _quantities(raw)
    for position in (5, 6, 7):
        title = table.axis_title(position).lower()
        labels = {v.label for r in table.rows for v in r.values(position)}
        found = out.setdefault(position, [])
        if title == "contrast":
            found.extend(_contrast(labels, norms, said))
        elif title == "qualifier" and "Unenhanced and Enhanced" in labels:
            if any(_says(norms, p) for p in _BOTH) and said & _CONTRAST:
                found.append(("Unenhanced and Enhanced", "with and without contrast"))
        elif title == "substance":
            for label in sorted(labels):
                for phrase in substances.get(label, ()):
                    if _says(norms, phrase):
                        found.append((label, " ".join(phrase)))
        spelled = []
        for label in sorted(labels):
            if quantities and _fits(label, quantities):
                found.append((label, raw.strip()))
            parts = _spelled_parts(label, norms)
            if parts:
                # The label with the most of its words written ("prolonged intermittent"
                # over "intermittent"); among those alike the unspecified one.
                phrases = [norm_phrase(p) for p in label.split(",")]
                whole = sum(len(p) for p in phrases if p and _says(norms, p))
                spelled.append((-whole, "unspecified" not in label.lower(), label, parts[0]))
        spelled.sort()
        best = [item for item in spelled if item[0] == spelled[0][0]] if spelled else []
        if len(best) == 1 or (best and not best[0][1]):  # one label, or the unspecified one
            found.append((best[0][2], best[0][3]))
    return {p: v for p, v in out.items() if v}


def _spelled_parts(label: str, norms: Sequence[str]) -> list[str]:
    """Parts of a label written as a list that the statement spells: the kind that leads
    it ("Continuous, Greater than 18 hours Per Day": continuous) or a later part of two
    words or more ("Membrane, Peripheral Veno-venous": peripheral veno-venous)."""
    if "," not in label:
        return []
    out = []
    for k, part in enumerate(label.split(",")):
        phrase = norm_phrase(part)
        if phrase and (k == 0 or len(phrase) > 1) and _says(norms, phrase):
            out.append(part.strip().lower())
    return out


def _contrast(labels: set[str], norms: Sequence[str], said: set[str]) -> list[tuple[str, str]]:
    both = any(_says(norms, p) for p in _BOTH)
    if any(_says(norms, p) for p in _NO_CONTRAST) and not both:
        return [("None", "without contrast")]
    if not said & (_CONTRAST | set(_AGENT_KIND)):
        return []
    out = [(kind, agent) for agent, kind in _AGENT_KIND.items() if agent in said]
    kinds = labels - {"None"}
    if len(kinds) == 1:  # one kind of contrast in the row (MRI: Other Contrast)
        return [*out, (next(iter(kinds)), "contrast")]
    return out + [(label, UNDOCUMENTED) for label in _USUAL_CONTRAST if label in labels]


def is_undocumented(words: str) -> bool:
    return words == UNDOCUMENTED


MEASUREMENT, MONITORING = "0", "1"  # character 3 of section 4
_OVER_TIME = frozenset(norm_word(w) for w in ("monitoring", "monitored", "continuous", "telemetry"))


def monitoring_code(code: str, said: frozenset[str], release: PcsRelease) -> tuple[str, str] | None:
    """A Measurement code (section 4) whose statement says the function was followed over
    a period ("continuous EEG monitoring"): the Monitoring code of the same values, when
    valid (Definitions, section 4: Measurement is at a point in time, Monitoring
    repetitively over a period of time)."""
    if code[0] != "4" or code[2] != MEASUREMENT or not said & _OVER_TIME:
        return None
    other = code[:2] + MONITORING + code[3:]
    if not release.validate(other).valid:
        return None
    return other, (release.title(other) or ("", True))[0]


IRRIGATION = "3E1"  # Administration, Physiological Systems, Irrigation
RULE_IRRIGATION = RuleApplied(
    "pcs-irrigation-device.v1", "ICD-10-PCS Guidelines B6.1c",
    "irrigation through an indwelling device is Irrigation (Administration), not a Drainage",
)  # fmt: skip


def drop_irrigated_devices(
    found: list[ProcedureAssignment], dropped: list[DroppedCandidate]
) -> list[ProcedureAssignment]:
    """Irrigation through a catheter or tube already in place ("bladder irrigation through
    the urinary catheter") is a procedure on the device (B6.1c): the catheter's words do
    not make a Drainage with a Drainage Device of the same statement."""
    if not any(a.code[:3] == IRRIGATION for a in found):
        return found
    out = []
    for assignment in found:
        if assignment.code[0] == "0" and assignment.code[2] == "9" and assignment.code[5] == "0":
            dropped.append(DroppedCandidate(assignment.code, assignment.evidence[0].text,
                                            "the device irrigated, not a drainage",
                                            RULE_IRRIGATION, assignment.evidence[0]))  # fmt: skip
            continue
        out.append(assignment)
    return out
