"""FHIR R4 Bundles in: each DocumentReference becomes one import record (the JSONL line
schema of ``records.importer``) with its Patient and Encounter.

A file holds one Bundle (JSON) or one Bundle a line (NDJSON). The ``fhir.resources.R4B``
models parse and validate the structure (types, cardinality, date formats); they do not
check code values, so the codes this reads are checked here: ``Patient.gender``
(AdministrativeGender), ``Encounter.class`` (v3 ActCode: IMP/ACUTE/NONAC inpatient, AMB
and OBSENC outpatient (an observation stay is outpatient, ICD-10-CM Guidelines IV.A),
EMER emergency), the attachment's ``contentType`` (text/plain only) and the discharge
disposition (taken when a coding is a two-digit UB-04 patient discharge status).

Places are FHIRPath-like, counted from 0: ``Bundle[1].entry[3].resource(Patient).birthDate``
is the second Bundle of the file. One bad value refuses its whole Bundle.
"""

from __future__ import annotations

import base64
import binascii
import datetime as dt
import json
from collections.abc import Iterator, Sequence
from typing import Any

from pydantic import ValidationError

from medcoder.errors import ImportFormatError
from medcoder.interop.code_values import DISCHARGE_STATUS_FORM
from medcoder.interop.source import SourceDocument, SourceMessage, SourceProblem

GENDERS = {"female": "F", "male": "M", "other": "U", "unknown": "U"}
# v3 ActCode encounter classes (http://terminology.hl7.org/CodeSystem/v3-ActCode).
CLASSES = {
    "IMP": "inpatient",
    "ACUTE": "inpatient",
    "NONAC": "inpatient",
    "AMB": "outpatient",
    "OBSENC": "outpatient",
    "EMER": "emergency",
}
MRN_TYPE = "MR"  # v2-0203 identifier type: medical record number


def _path(where: str, loc: Sequence[int | str], types: dict[int, str]) -> str:
    """``('entry', 3, 'resource', 'birthDate')`` as ``entry[3].resource(Patient).birthDate``."""
    out = where
    for position, part in enumerate(loc):
        out += f"[{part}]" if isinstance(part, int) else f".{part}"
        if position == 2 and part == "resource" and loc[0] == "entry":
            entry = loc[1]
            if isinstance(entry, int) and entry in types:
                out += f"({types[entry]})"
    return out


def _bundle(raw: object, where: str) -> Any:
    """The R4B Bundle model of ``raw``, or SourceProblem naming the first bad element."""
    from fhir.resources.R4B import get_fhir_model_class
    from fhir.resources.R4B.resource import Resource

    if not isinstance(raw, dict) or raw.get("resourceType") != "Bundle":
        kind = raw.get("resourceType") if isinstance(raw, dict) else None
        raise SourceProblem(where, f"a {kind or 'JSON value'}, not a Bundle")
    entries = raw.get("entry")
    types: dict[int, str] = {}
    for number, entry in enumerate(entries if isinstance(entries, list) else []):
        resource = entry.get("resource") if isinstance(entry, dict) else None
        if isinstance(resource, dict):
            name = resource.get("resourceType")
            try:
                known = issubclass(get_fhir_model_class(str(name)), Resource)
            except ValueError:  # failures are not cached: lru_cache keeps only real names
                known = False
            if not known:
                place = f"{where}.entry[{number}].resource"
                raise SourceProblem(place, f"unknown resourceType {str(name)[:40]!r}") from None
            types[number] = str(name)
    bundle_class = get_fhir_model_class("Bundle")
    try:
        return bundle_class.model_validate(raw)
    except ValidationError as exc:
        first = exc.errors()[0]
        loc = [p for p in first["loc"] if isinstance(p, int | str)]
        raise SourceProblem(_path(where, loc, types), str(first["msg"])[:200]) from None
    except Exception as exc:  # fhir_core's validators raise others on odd types (a bool url)
        raise SourceProblem(
            where, f"not a Bundle these models read ({type(exc).__name__})"
        ) from None


def _codes(concept: Any) -> list[str]:
    return [str(c.code) for c in (concept.coding or []) if c.code] if concept else []


def _identifier(identifiers: Any, preferred: str) -> str | None:
    """The value of the identifier of type ``preferred`` (v2-0203), else the first one."""
    values = [i for i in identifiers or [] if i.value]
    typed = [i for i in values if preferred in _codes(i.type)]
    return str((typed or values)[0].value) if values else None


def _name(names: Any) -> str | None:
    ordered = sorted(names or [], key=lambda n: n.use != "official")
    for name in ordered:
        if name.text:
            return str(name.text)
        parts = [*(name.given or []), name.family or ""]
        if any(parts):
            return " ".join(p for p in parts if p)
    return None


def _day(value: Any) -> str | None:
    if isinstance(value, dt.datetime):
        return value.date().isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    return str(value) if value else None  # a partial date: the validator names it


class _Bundle:
    """One validated Bundle with its resources looked up by reference."""

    def __init__(self, model: Any, where: str) -> None:
        self.where = where
        self.by_ref: dict[str, tuple[int, Any]] = {}
        self.by_type: dict[str, list[tuple[int, Any]]] = {}
        for number, entry in enumerate(model.entry or []):
            resource = entry.resource
            if resource is None:
                continue
            kind = resource.get_resource_type()
            self.by_type.setdefault(kind, []).append((number, resource))
            if entry.fullUrl:
                self.by_ref[str(entry.fullUrl)] = (number, resource)
            if resource.id:
                self.by_ref[f"{kind}/{resource.id}"] = (number, resource)

    def place(self, number: int, kind: str) -> str:
        return f"{self.where}.entry[{number}].resource({kind})"

    def find(self, kind: str, reference: Any, place: str) -> tuple[int, Any]:
        """The resource a reference names, else the Bundle's only one of that type."""
        target = getattr(reference, "reference", None) if reference is not None else None
        if target:
            found = self.by_ref.get(str(target))
            if found is None or found[1].get_resource_type() != kind:
                raise SourceProblem(place, f"reference {str(target)[:80]!r} is not in the Bundle")
            return found
        candidates = self.by_type.get(kind, [])
        if len(candidates) != 1:
            many = "several" if candidates else "none"
            raise SourceProblem(place, f"no {kind} reference, and the Bundle holds {many}")
        return candidates[0]


def _patient(bundle: _Bundle, number: int, patient: Any) -> tuple[dict[str, str], dict[str, str]]:
    place = bundle.place(number, "Patient")
    data: dict[str, str] = {}
    if patient.gender is not None:
        if str(patient.gender) not in GENDERS:
            raise SourceProblem(f"{place}.gender", "not male, female, other or unknown")
        data["sex"] = GENDERS[str(patient.gender)]
    for key, value in (
        ("mrn", _identifier(patient.identifier, MRN_TYPE)),
        ("name", _name(patient.name)),
        ("dob", _day(patient.birthDate)),
    ):
        if value:
            data[key] = value
    fields = {"mrn": f"{place}.identifier", "name": f"{place}.name", "dob": f"{place}.birthDate"}
    return data, fields | {"sex": f"{place}.gender"}


def _encounter(
    bundle: _Bundle, number: int, encounter: Any
) -> tuple[dict[str, str], dict[str, str]]:
    place = bundle.place(number, "Encounter")
    code = encounter.class_fhir.code if encounter.class_fhir else None
    if code not in CLASSES:
        choices = ", ".join(CLASSES)
        raise SourceProblem(f"{place}.class", f"class {str(code)[:20]!r} is not one of {choices}")
    setting = CLASSES[str(code)]
    data = {"setting": setting}
    value = _identifier(encounter.identifier, "VN") or encounter.id
    if value:
        data["encounter_id"] = str(value)
    period = encounter.period
    start, end = (_day(period.start), _day(period.end)) if period else (None, None)
    dates = {"admit_date": start, "discharge_date": end}
    if setting != "inpatient":  # one date of service (Guidelines IV)
        dates = {"date": start or end}
    data |= {k: v for k, v in dates.items() if v}
    hospitalization = encounter.hospitalization
    if hospitalization is not None:
        codes = _codes(hospitalization.dischargeDisposition)
        status = [c for c in codes if DISCHARGE_STATUS_FORM.fullmatch(c)]
        if status:
            data["discharge_status"] = status[0]
    for participant in encounter.participant or []:
        kinds = [c for t in participant.type or [] for c in _codes(t)]
        who = participant.individual
        if "ATND" in kinds and who is not None and who.display:
            data["attending"] = str(who.display)
            break
    fields = {
        "encounter_id": f"{place}.identifier",
        "setting": f"{place}.class",
        "discharge_status": f"{place}.hospitalization.dischargeDisposition",
        "attending": f"{place}.participant",
    }
    for key in ("date", "admit_date", "discharge_date"):
        fields[key] = f"{place}.period"
    return data, fields


def _attachment_text(bundle: _Bundle, document: Any, place: str) -> str:
    """The text of the text/plain attachments: inline ``data`` (base64), or a ``url`` to a
    contained Binary (``#id``) or a Binary entry of the Bundle."""
    contained = {f"#{r.id}": r for r in document.contained or [] if r.id}
    texts = []
    for number, content in enumerate(document.content or []):
        where = f"{place}.content[{number}].attachment"
        attachment = content.attachment
        content_type, data = attachment.contentType, attachment.data
        if data is None and attachment.url:
            url = str(attachment.url)
            binary = contained.get(url) or bundle.by_ref.get(url, (0, None))[1]
            if binary is None or binary.get_resource_type() != "Binary":
                raise SourceProblem(f"{where}.url", "not a contained or bundled Binary")
            content_type, data = content_type or binary.contentType, binary.data
        mime = str(content_type or "").split(";")[0].strip().lower()
        if mime != "text/plain":
            raise SourceProblem(f"{where}.contentType", f"{mime or 'none'}: only text/plain")
        if data is None:
            raise SourceProblem(f"{where}.data", "no inline data")
        raw = data if isinstance(data, bytes) else base64.b64decode(str(data), validate=True)
        try:
            texts.append(raw.decode("utf-8-sig"))
        except UnicodeDecodeError:
            raise SourceProblem(f"{where}.data", "not UTF-8 text") from None
    if not texts:
        raise SourceProblem(f"{place}.content", "no attachment")
    return "\n\n".join(texts)


def _kind(concept: Any) -> str:
    if concept is None:
        return "note"
    if concept.text:
        return str(concept.text)
    for coding in concept.coding or []:
        if coding.display or coding.code:
            return str(coding.display or coding.code)
    return "note"


def bundle_documents(raw: object, where: str) -> tuple[SourceDocument, ...]:
    """The documents of one Bundle (parsed JSON), or SourceProblem naming the place."""
    bundle = _Bundle(_bundle(raw, where), where)
    documents = []
    for number, document in bundle.by_type.get("DocumentReference", []):
        if document.status == "entered-in-error":
            continue  # withdrawn by its author: never coded
        place = bundle.place(number, "DocumentReference")
        subject = bundle.find("Patient", document.subject, f"{place}.subject")
        context = document.context
        links = (context.encounter or []) if context is not None else []
        if len(links) > 1:
            raise SourceProblem(f"{place}.context.encounter", "names several encounters")
        visit = bundle.find("Encounter", links[0] if links else None, f"{place}.context")
        patient, patient_fields = _patient(bundle, *subject)
        encounter, encounter_fields = _encounter(bundle, *visit)
        try:
            text = _attachment_text(bundle, document, place)
        except binascii.Error:
            raise SourceProblem(f"{place}.content", "attachment data is not base64") from None
        data = {**patient, **encounter, "kind": _kind(document.type), "text": text}
        fields = {**patient_fields, **encounter_fields, "kind": f"{place}.type"}
        documents.append(SourceDocument(data, place, fields | {"text": f"{place}.content"}))
    if not documents:
        raise SourceProblem(where, "no DocumentReference to import")
    return tuple(documents)


def _values(text: str) -> Iterator[tuple[int, object | Exception]]:
    """Each JSON value of the text with its line: one document, or one a line (NDJSON)."""
    decoder = json.JSONDecoder()
    position = counted = 0
    line = 1
    while True:
        while position < len(text) and text[position] in " \t\r\n":
            position += 1
        if position >= len(text):
            return
        line += text.count("\n", counted, position)  # counted on from the last value
        counted = position
        try:
            value, position = decoder.raw_decode(text, position)
        except (ValueError, RecursionError) as exc:  # ValueError: also a 5,000-digit number
            yield line, exc
            return  # the next value cannot be found past text that is not JSON
        yield line, value


def read_fhir(text: str, source: str) -> Iterator[SourceMessage | ImportFormatError]:
    """Each Bundle of ``text`` as its documents, or the error that keeps it out."""
    for index, (line, value) in enumerate(_values(text)):
        where = f"Bundle[{index}]"
        if isinstance(value, Exception):
            problem = (
                f"not JSON ({value.msg})"
                if isinstance(value, json.JSONDecodeError)
                else "not JSON this reads (nested too deeply, or a number too long)"
            )
            yield ImportFormatError(source, f"{where}: {problem}", line=line)
            continue
        try:
            yield SourceMessage(line, bundle_documents(value, where))
        except SourceProblem as exc:
            yield ImportFormatError(source, str(exc), line=line)
