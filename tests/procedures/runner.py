"""One stage run on one document against a home's code sets, as the pipeline runs it."""

from __future__ import annotations

from pathlib import Path

from medcoder.codesets.in_force import CodeSetChooser
from medcoder.codesets.registry import Registry
from medcoder.nlp.assertion import AssertionDetector
from medcoder.nlp.document import ClinicalDocument
from medcoder.nlp.note import parse_note
from medcoder.results import StageFindings
from medcoder.stage import Stage

_DETECTOR = AssertionDetector()


class StageRunner:
    """``runner(document)``: the stage's findings with nothing found before it."""

    def __init__(self, stage: Stage, home: Path) -> None:
        self.stage = stage
        self.chooser = CodeSetChooser(Registry(home, quiet=True))

    def __call__(self, document: ClinicalDocument) -> StageFindings:
        note = parse_note(document, _DETECTOR)
        code_sets = self.chooser.choose(document.date_of_service)
        return self.stage(note, code_sets, StageFindings())
