"""The FHIR and HL7 v2 readers on their own: the records they make and the places their
errors name (synthetic input from ``samples``)."""

from __future__ import annotations

import base64
import json

from medcoder.errors import ImportFormatError
from medcoder.interop.fhir_in import read_fhir
from medcoder.interop.hl7_in import read_hl7
from medcoder.interop.source import SourceMessage

from .samples import bundle, changed, mdm, oru


def _one(items: list[SourceMessage | ImportFormatError]) -> dict[str, str]:
    assert len(items) == 1 and isinstance(items[0], SourceMessage), items
    (document,) = items[0].documents
    return document.data


def _error(items: list[SourceMessage | ImportFormatError]) -> str:
    assert len(items) == 1 and isinstance(items[0], ImportFormatError), items
    return items[0].problem


def test_fhir_emergency_visit_uses_the_period_start_as_date_of_service() -> None:
    data = _one(list(read_fhir(json.dumps(bundle(klass="EMER", end="2026-05-02")), "x")))
    assert (data["setting"], data["date"]) == ("emergency", "2026-05-01")
    assert "admit_date" not in data and data["kind"] == "progress"


def test_fhir_attachment_in_a_bundled_binary_and_withdrawn_documents() -> None:
    source = bundle()
    document = source["entry"][2]["resource"]
    del document["contained"]
    document["content"][0]["attachment"]["url"] = "Binary/b1"
    data = base64.b64encode(b"Seen for cough.").decode()
    binary = {"resourceType": "Binary", "id": "b1", "contentType": "text/plain", "data": data}
    withdrawn = changed(source["entry"][2], ["resource", "status"], "entered-in-error")
    source["entry"] += [{"resource": binary}, withdrawn]
    assert _one(list(read_fhir(json.dumps(source), "x")))["text"] == "Seen for cough."


def test_fhir_errors_name_the_bundle_and_the_path() -> None:
    text = json.dumps(bundle()) + "\n" + json.dumps({"resourceType": "Patient"}) + "\n"
    items = list(read_fhir(text, "x"))
    assert isinstance(items[0], SourceMessage)
    assert isinstance(items[1], ImportFormatError) and items[1].line == 2
    assert items[1].problem == "Bundle[1]: a Patient, not a Bundle"
    no_visit = bundle()
    del no_visit["entry"][1]
    no_visit["entry"][1]["resource"]["context"] = {}
    assert _error(list(read_fhir(json.dumps(no_visit), "x"))) == (
        "Bundle[0].entry[1].resource(DocumentReference).context: no Encounter reference, "
        "and the Bundle holds none"
    )
    empty = {"resourceType": "Bundle", "type": "collection"}
    assert _error(list(read_fhir(json.dumps(empty), "x"))) == (
        "Bundle[0]: no DocumentReference to import"
    )


def test_hl7_escapes_line_breaks_and_hex() -> None:
    text = r"A\E\B\R\C \.br\D\X41\ \H\bold\N\ end"
    data = _one(list(read_hl7(mdm(text=text).encode(), "x")))
    assert data["text"].split("\n")[:2] == ["A\\B~C ", "DA bold end"]


def test_hl7_latin1_when_msh18_says_so() -> None:
    message = mdm(text="Caf\xe9").replace("|2.5.1", "|2.5.1|||||8859/1")
    assert _one(list(read_hl7(message.encode("latin-1"), "x")))["text"].startswith("Café")
    assert "not UTF-8" in _error(list(read_hl7(mdm(text="Caf\xe9").encode("latin-1"), "x")))


def test_hl7_stray_segment_and_empty_input() -> None:
    items = list(read_hl7(("PID|1\n" + oru()).encode(), "x"))
    assert isinstance(items[0], ImportFormatError) and items[0].line == 1
    assert "segment 'PID' before any MSH" in items[0].problem
    assert isinstance(items[1], SourceMessage)
    assert _error(list(read_hl7(b"\n\n", "x"))) == "no HL7 message (no MSH segment)"
