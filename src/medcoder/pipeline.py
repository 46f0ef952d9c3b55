"""The coding pipeline: one parsed note through every stage, and the one-call Python API.

:class:`CodingEngine` runs its stages the way spaCy's ``Language.__call__`` runs its
components over one ``Doc``: the note is parsed once (``nlp/note.py``), the code sets in
force on its date of service are chosen once (``codesets/in_force.py``), and each stage
(:class:`~medcoder.stage.Stage`) adds its findings to those of the stages before it. The
engine keeps no per-note state, so threads may code with one engine at once.
:func:`engine_for` is the one place an engine with the default stages is built.
"""

from __future__ import annotations

import datetime as dt
import functools
import time
from collections.abc import Sequence
from dataclasses import replace
from pathlib import Path

from medcoder.codesets.in_force import CodeSetChooser
from medcoder.codesets.registry import Registry
from medcoder.coding.diagnoses import DiagnosisStage
from medcoder.coding.encounter import encounter_confidence
from medcoder.coding.external_cause import ExternalCauseStage
from medcoder.coding.poa import PoaProposer
from medcoder.errors import InvalidInputError
from medcoder.kinds import PatientStatus, Setting, Sex
from medcoder.nlp.assertion import AssertionDetector
from medcoder.nlp.document import ClinicalDocument
from medcoder.nlp.normalize import remove_invisible, restore_offsets
from medcoder.nlp.note import ParsedNote, parse_note
from medcoder.procedures.coders import procedure_stages
from medcoder.results import CodingResult, StageFindings
from medcoder.stage import Stage

EMPTY_NOTE = "the note is empty: nothing to code"


class CodingEngine:
    """Codes clinical documents against the code sets in force on the date of service."""

    def __init__(
        self,
        registry: Registry | CodeSetChooser | None = None,
        *,
        stages: Sequence[Stage] | None = None,
    ) -> None:
        """``registry``: the home's releases, or the chooser the stages were built with
        (its stores then open once). ``stages``: the stages to run, in order; by default
        the diagnoses and their external causes (:func:`default_stages`: every stage)."""
        if isinstance(registry, CodeSetChooser):
            self.chooser = registry
        else:
            self.chooser = CodeSetChooser(registry)
        self.registry = self.chooser.registry
        self.detector = AssertionDetector()  # its rules are read once, shared by notes
        if stages is None:
            stages = diagnosis_stages(self.chooser)
        self.stages: tuple[Stage, ...] = tuple(stages)
        # Appendix I: each inpatient diagnosis gets a POA proposal once every stage that
        # reports diagnoses (external causes included) has run; other settings pass through.
        self.poa = PoaProposer()

    @property
    def stage_names(self) -> tuple[str, ...]:
        return tuple(stage.name for stage in self.stages)

    @property
    def external_causes(self) -> bool:
        """Whether injuries get their external cause codes (recorded with each run)."""
        return "external_causes" in self.stage_names

    def parse(self, document: ClinicalDocument, *, deadline: float | None = None) -> ParsedNote:
        return parse_note(document, self.detector, deadline=deadline)

    def code(
        self,
        document: ClinicalDocument,
        *,
        release_name: str | None = None,
        time_budget: float | None = None,
    ) -> CodingResult:
        """Code ``document``. ``time_budget``: seconds after which coding stops with
        :class:`~medcoder.errors.TimeBudgetError` (E302), checked between stages and
        between sentences (coding is linear in the note's length; issue 17 item 6)."""
        deadline = None if time_budget is None else time.monotonic() + time_budget
        code_sets = self.chooser.choose(document.date_of_service, icd10cm=release_name)
        release = code_sets.icd10cm  # chosen first: no release for the date is an error
        # Invisible format characters hide words ("dia\u200bbetes"): code the text
        # without them, then map the evidence back onto the characters as written.
        clean = remove_invisible(document.text)
        if clean.changed:
            document = replace(document, text=clean.text)
        note = self.parse(document, deadline=deadline)
        found = StageFindings(notices=() if document.text.strip() else (EMPTY_NOTE,))
        for stage in self.stages:
            note.check_time(f"the {stage.name} stage")
            found = found + stage(note, code_sets, found)
        if document.setting.is_inpatient:
            found = replace(found, diagnoses=self.poa(note, found.diagnoses, found.dropped))
        # Procedures are numbered in one sequence, in stage order.
        procedures = tuple(replace(p, sequence=n) for n, p in enumerate(found.procedures, 1))
        day = document.date_of_service
        result = CodingResult(
            document_id=document.id,
            release=release.name,
            setting=document.setting,
            date_of_service=day.isoformat() if day else None,
            codes=found.diagnoses,
            dropped=found.dropped,
            notices=found.notices,
            procedures=procedures,
            em_level=found.em_level,
        )
        # Scored last, from the whole result: the set's chance of being exactly right.
        score = encounter_confidence(result, document.text, note.sections)
        return restore_offsets(replace(result, encounter_confidence=score), clean)


def diagnosis_stages(chooser: CodeSetChooser, *, external_causes: bool = True) -> tuple[Stage, ...]:
    """ICD-10-CM diagnoses, then (``external_causes``) the V00-Y38 / Y93 codes of the
    injuries among them (voluntary under Guidelines I.C.20; on unless asked off)."""
    diagnoses: list[Stage] = [DiagnosisStage(chooser.home / "cache")]
    if external_causes:
        diagnoses.append(ExternalCauseStage(chooser.home / "cache"))
    return tuple(diagnoses)


def default_stages(chooser: CodeSetChooser, *, external_causes: bool = True) -> tuple[Stage, ...]:
    """Every stage ``medcoder code`` runs: diagnoses, external causes, then the procedure
    stages whose code sets are installed (E/M, ICD-10-PCS, HCPCS Level II, CPT)."""
    return diagnosis_stages(chooser, external_causes=external_causes) + procedure_stages(chooser)


@functools.lru_cache(maxsize=8)
def _chooser_for(home: Path | None) -> CodeSetChooser:
    """One chooser per MEDCODER_HOME: the releases it opens carry the lexicons and
    selectors (``Release.memo``), so every engine of the home shares them."""
    return CodeSetChooser(Registry(home, quiet=True))


@functools.lru_cache(maxsize=8)
def engine_for(home: Path | None = None, *, external_causes: bool = True) -> CodingEngine:
    """One engine per MEDCODER_HOME and external-cause choice, built on first use and
    shared; both choices of one home share its releases, lexicons and selectors, which
    load once per process."""
    chooser = _chooser_for(home)
    stages = default_stages(chooser, external_causes=external_causes)
    return CodingEngine(chooser, stages=stages)


def parse_date(value: str | None) -> dt.date | None:
    """A date of service written YYYY-MM-DD (None stays None); anything else is E300."""
    if value is None:
        return None
    try:
        return dt.date.fromisoformat(value)
    except ValueError as exc:
        raise InvalidInputError(
            f"date {value!r} is not a date", hint="write dates as YYYY-MM-DD"
        ) from exc


def make_document(
    text: str,
    *,
    setting: str | Setting | None = None,
    date_of_service: dt.date | str | None = None,
    age: int | None = None,
    sex: str | Sex | None = None,
    id: str | None = None,
    patient_status: str | PatientStatus | None = None,
) -> ClinicalDocument:
    """Validate loose inputs (strings from a CLI, JSON or HTTP) into a ClinicalDocument."""
    if not isinstance(text, str):
        raise InvalidInputError(f"text must be a string, not {type(text).__name__}")
    day = parse_date(date_of_service) if isinstance(date_of_service, str) else date_of_service
    parsed_sex = Sex.parse(sex)
    if age is not None and (isinstance(age, bool) or not isinstance(age, int)):
        raise InvalidInputError(f"age {age!r} is not a whole number")
    return ClinicalDocument(
        text=text,
        setting=Setting.parse(setting),
        date_of_service=day,
        age=age,
        sex=parsed_sex,
        id=id,
        patient_status=PatientStatus.parse(patient_status or None),
    )


def code(
    text: str,
    *,
    setting: str | Setting | None = None,
    date: dt.date | str | None = None,
    age: int | None = None,
    sex: str | Sex | None = None,
    home: Path | None = None,
    patient_status: str | PatientStatus | None = None,
) -> CodingResult:
    """Code one clinical note: ICD-10-CM codes with evidence, index path, rules, confidence;
    procedures and the office E/M level (``patient_status``: new | established, else read
    from the note)."""
    document = make_document(
        text, setting=setting, date_of_service=date, age=age, sex=sex,
        patient_status=patient_status,
    )  # fmt: skip
    return engine_for(home).code(document)
