"""`medcoder code --check`: run the edits on the engine's own output and let them adjust
it - drop the less specific code of an Excludes1 pair (I.A.12.a), move an etiology
before the manifestation or code that says "code first" it (I.A.13) - keeping the
trace: a dropped entry, or a rule on the moved code, names the edit."""

from __future__ import annotations

import dataclasses
import datetime as dt

from medcoder.codesets.codes import compact
from medcoder.edits.checker import ClaimChecker
from medcoder.edits.claim import Claim, ClaimCode, sort_codes
from medcoder.edits.findings import EditReport, Severity
from medcoder.kinds import CodeSystem, Setting
from medcoder.results import CodeAssignment, CodingResult, DroppedCandidate, RuleApplied


def result_claim(result: CodingResult, *, day: dt.date, age: int | None, sex: str | None) -> Claim:
    """The claim the engine's codes would make (diagnoses, then procedures)."""
    lines = [ClaimCode(CodeSystem.ICD10CM, c.code, c.sequence) for c in result.codes]
    for p in result.procedures:
        try:
            system = CodeSystem(p.system)
        except ValueError:
            continue
        lines.append(ClaimCode(system, p.code, p.sequence, tuple(p.modifiers), max(1, p.units)))
    setting = Setting.parse(result.setting).guidelines
    return Claim(result.document_id, day, setting, sort_codes(lines), age, sex)


def _specificity(code: CodeAssignment) -> tuple[int, int, float]:
    """More characters, not 'unspecified', more confident: kept over the other."""
    return (len(compact(code.code)), "unspecified" not in code.title.lower(), code.confidence)


def _rule(edit: str, source: str, detail: str) -> RuleApplied:
    return RuleApplied(edit, source, detail)


def adjust(
    result: CodingResult, checker: ClaimChecker, *, day: dt.date, age: int | None = None,
    sex: str | None = None,
) -> tuple[CodingResult, EditReport]:  # fmt: skip
    """The result with the edits' adjustments made, and the findings that remain."""
    report = checker.check(result_claim(result, day=day, age=age, sex=sex))
    codes = list(result.codes)
    dropped = list(result.dropped)
    notices = list(result.notices)
    by_code = {c.code: c for c in codes}
    for finding in report.findings:
        if finding.edit == "excludes1.v1" and len(finding.codes) == 2:
            pair = [by_code.get(c) for c in finding.codes]
            if None in pair or any(p not in codes for p in pair):
                continue
            loser = min(pair, key=lambda c: _specificity(c))  # type: ignore[arg-type]
            assert loser is not None
            keeper = finding.codes[0] if loser.code == finding.codes[1] else finding.codes[1]
            codes.remove(loser)
            rule = _rule(finding.edit, finding.source, f"claim edit: {finding.message}")
            dropped.append(
                DroppedCandidate(
                    loser.code,
                    loser.title,
                    f"less specific than {keeper}, its Excludes1 pair",
                    rule,
                    loser.evidence[0] if loser.evidence else None,
                )
            )
            notices.append(f"edits: dropped {loser.code} (Excludes1 with {keeper})")
        elif finding.edit == "code-first.v1" and len(finding.codes) == 2:
            code, etiology = (by_code.get(c) for c in finding.codes)
            if code is None or etiology is None or code not in codes or etiology not in codes:
                continue
            codes.remove(etiology)
            rule = _rule(finding.edit, finding.source, f"claim edit: {finding.fix}")
            moved = dataclasses.replace(etiology, rules=(*etiology.rules, rule))
            codes.insert(codes.index(code), moved)
            by_code[moved.code] = moved
            notices.append(f"edits: moved {etiology.code} before {code.code} (code first)")
    if len(codes) == len(result.codes) and codes == list(result.codes):
        return result, report
    renumbered = tuple(dataclasses.replace(c, sequence=i) for i, c in enumerate(codes, start=1))
    adjusted = dataclasses.replace(
        result, codes=renumbered, dropped=tuple(dropped), notices=tuple(notices)
    )
    return adjusted, checker.check(result_claim(adjusted, day=day, age=age, sex=sex))


def blocking(report: EditReport) -> bool:
    return any(f.severity is Severity.ERROR for f in report.findings)
