"""PCS procedure words derived from a release's own Tables, Definitions and Index, not
written by hand: each Medical and Surgical root operation's name, its verb forms, and the examples
the Definitions give for it ("Fulguration of rectal polyp" -> Destruction; "Total
nephrectomy" -> Resection; "Partial nephrectomy" -> Excision).

The words become :class:`ProcedureEntry` values naming the root operation (the section's
tables of that operation are the candidates; the body part is found by its label words
in the statement). A word the Definitions give to two root operations is left out: the
statement's other words must decide, and the curated vocabulary may. Root operations
whose names are everyday words in notes ("control", "change", "map", "restriction" of
fluids, "occlusion" as a finding, "supplement") are only taken from their examples.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from medcoder.codesets.pcs.store import PcsRelease
from medcoder.procedures.pcs_labels import label_atoms
from medcoder.procedures.pcs_vocabulary import ProcedureEntry, norm_phrase

MEDICAL_SURGICAL = "0"
ROOT_OPERATION = 3
# Root operations named in notes by their own words (ICD-10-PCS Definitions, section 0,
# character 3). Others are matched only through their examples and the Index.
NAMED = frozenset(
    {"Excision", "Resection", "Extirpation", "Drainage", "Reattachment", "Reposition",
     "Transplantation", "Transfer", "Revision", "Release", "Repair"}
)  # fmt: skip
# Named in notes for findings more than for procedures ("bone destruction", "retinal
# detachment", "DNA extracted"): these are found through their examples and the Index
# ("fulguration", "ablation", "amputation").
# Root operations whose examples' one-word heads name the procedure itself ("fulguration",
# "amputation", "cerclage"); other examples' heads are everyday words ("control",
# "formation", "adjustment", "takedown", "laparotomy" as an approach) and are kept only
# within the whole example phrase.
HEAD_WORDS = frozenset(
    {"Destruction", "Detachment", "Extirpation", "Drainage", "Resection",
     "Excision", "Fragmentation", "Division", "Fusion", "Dilation", "Supplement",
     "Restriction", "Transfer", "Reattachment", "Transplantation", "Release"}
)  # fmt: skip
# Forms that are also everyday words in notes: "transferred to the ICU", "released".
_NOT_PARTICIPLES = frozenset({"Transfer", "Release", "Removal", "Insertion", "Replacement"})
_EXAMPLE_SPLIT = re.compile(r",\s*")
_HEAD = re.compile(r"\s+(?:of|to|in|for|with|using)\s+.*$")


def verb_forms(label: str) -> tuple[str, ...]:
    """The noun and verb forms of a root operation's name: "Excision" -> excision, excise,
    excised; "Reattachment" -> reattachment, reattach, reattached; "Drainage" -> drain."""
    noun = label.lower()
    stems: list[str] = []
    if noun.endswith("pation"):  # extirpation -> extirpate
        stems.append(noun[:-3] + "e")
    elif noun.endswith("ation"):  # transplantation -> transplant
        stems.append(noun[:-5])
    elif noun.endswith("sion"):  # excision -> excise, revision -> revise
        stems.append(noun[:-3] + "e")
    elif noun.endswith("tion"):  # resection -> resect, extraction -> extract, insertion
        stems.append(noun[:-3])
    elif noun.endswith("chment") or noun.endswith("cement"):  # detach, replace
        stems.append(noun[:-4])
    elif noun.endswith("age"):  # drainage -> drain
        stems.append(noun[:-3])
    elif noun.endswith("al"):  # removal -> remove
        stems.append(noun[:-2] + "e")
    else:  # reposition, transfer, repair, release, bypass
        stems.append(noun)
    forms = [noun, *stems]
    if label not in _NOT_PARTICIPLES:
        forms += [s + "d" if s.endswith("e") else s + "ed" for s in stems]
    return tuple(dict.fromkeys(f for f in forms if len(f) > 4))


def example_phrases(examples: Iterable[str], heads: bool = True) -> list[str]:
    """The procedure words of the Definitions' examples: each example without what
    follows "of"/"to" ("Fulguration of rectal polyp" -> "fulguration"), and its last word
    when that is the procedure noun ("Below knee amputation" -> "amputation")."""
    out: list[str] = []
    for text in examples:
        for example in _EXAMPLE_SPLIT.split(text):
            head = _HEAD.sub("", example.strip().lower())
            if not head or (" " not in head and not heads):
                continue
            out.append(head)
            last = head.split()[-1]
            if heads and last != head and len(last) > 6 and not last.endswith("ing"):
                out.append(last)
    return out


def derived_entries(release: PcsRelease) -> tuple[ProcedureEntry, ...]:
    """One entry per root operation of the Medical and Surgical section, with every word
    the Definitions give it that no other root operation shares."""
    owners: dict[tuple[str, ...], set[str]] = {}
    spelled: dict[tuple[str, ...], str] = {}
    operations = {t.operation.label for p, t in release.tables.items() if p[0] == MEDICAL_SURGICAL}
    for (section, position, title), term in release.terms.items():
        if section != MEDICAL_SURGICAL or position != ROOT_OPERATION or title not in operations:
            continue
        words = example_phrases(term.includes, title in HEAD_WORDS)
        if title in NAMED:
            words += verb_forms(title)
        for w in words:
            key = norm_phrase(w)
            if key:
                owners.setdefault(key, set()).add(title)
                spelled.setdefault(key, w)
    by_operation: dict[str, list[str]] = {}
    for key, labels in owners.items():
        if len(labels) == 1:
            by_operation.setdefault(next(iter(labels)), []).append(spelled[key])
    return tuple(
        ProcedureEntry(words=tuple(sorted(ws)), section=MEDICAL_SURGICAL, operation=label)
        for label, ws in sorted(by_operation.items())
    )


_PAREN = re.compile(r"\([^)]*\)")
# Index terms are taken when they are built as surgical terms (cholecyst-ectomy,
# cysto-lith-otomy, orchio-pexy) or send to a root operation whose index words name it
# unambiguously ("fulguration", "cryotherapy", "ablation": Destruction).
SURGICAL_SUFFIXES = ("ectomy", "otomy", "ostomy", "plasty", "pexy", "rrhaphy", "centesis",
                     "tripsy", "desis")  # fmt: skip
INDEX_OPERATIONS = frozenset(
    {"Destruction", "Detachment", "Extirpation", "Transplantation", "Reattachment", "Transfer"}
)
_TERM = re.compile(r"^[a-z][a-z -]*$")
B38_PAIR = frozenset({"Excision", "Resection"})


def index_entries(
    release: PcsRelease, findings: frozenset[str] = frozenset()
) -> tuple[ProcedureEntry, ...]:
    """Entries from the Index's "see" references ("Fulguration: see Destruction";
    "Cholecystectomy: see Excision, Gallbladder 0FB4; see Resection, Gallbladder 0FT4").

    A term sent to one Medical and Surgical root operation names it; a term sent to both
    Excision and Resection names Resection, and the stage takes Excision when the
    statement says only a portion was cut out (Guidelines B3.8). Where every reference
    gives the same table (and body part), the entry keeps them. Terms narrowed by a
    sub-term ("Evacuation, Hematoma"), those sent to other sections and ``findings``
    (Index terms that notes use for findings: "coagulation" tests) are left out."""
    tables = release.tables
    operations = {t.operation.label for p, t in tables.items() if p[0] == MEDICAL_SURGICAL}
    usable = (NAMED | HEAD_WORDS) & operations
    refs: dict[str, list[tuple[str, str]]] = {}
    for term, target, prefix in release.index_references:
        words = _PAREN.sub("", term).strip().lower()
        if "," in words or not _TERM.match(words) or len(words.split()) > 4 or words in findings:
            continue
        refs.setdefault(words, []).append((target, prefix))
    out = []
    for words, sent in sorted(refs.items()):
        ops = {t for t, _ in sent}
        if not ops <= operations and not ops & usable:
            continue
        ops &= usable
        if not (ops & INDEX_OPERATIONS or words.endswith(SURGICAL_SUFFIXES)):
            continue  # "closure", "graft", "puncture", "avulsion": everyday words
        if len(ops) == 1:
            operation = next(iter(ops))
        elif ops == B38_PAIR:
            operation = "Resection"
        else:
            continue
        prefixes = {p for t, p in sent if t == operation}
        entry = ProcedureEntry(words=(words,), section=MEDICAL_SURGICAL, operation=operation)
        if len(prefixes) == 1 and len(p := next(iter(prefixes))) >= 3 and p[:3] in tables:
            body_part = None
            if len(p) >= 4:
                label = next((v.label for r in tables[p[:3]].rows for v in r.values(4)
                              if v.code == p[3]), None)  # fmt: skip
                body_part = sorted(label_atoms(label)[0])[0] if label else None
            entry = ProcedureEntry(words=(words,), table=p[:3], body_part=body_part)
        out.append(entry)
    return tuple(out)
