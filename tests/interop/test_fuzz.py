"""The FHIR and HL7 v2 readers, fed generated and mutated input, answer only with
documents or ``ImportFormatError`` (never another exception, never a warning: pytest
runs with ``filterwarnings = error``), through the importer's validation as well.
300 examples each; ``MEDCODER_FUZZ_EXAMPLES=10000`` for the long run (as tests/security)."""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from medcoder.errors import ImportFormatError
from medcoder.kinds import ImportFormat
from medcoder.records.importer import ImportDocument, read_interop_bytes

from .samples import bundle, mdm, oru

EXAMPLES = int(os.environ.get("MEDCODER_FUZZ_EXAMPLES", "300"))
FUZZ = settings(max_examples=EXAMPLES, deadline=None, suppress_health_check=list(HealthCheck))
SOURCE = Path("fuzz.in")

json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=20),
    lambda inner: (
        st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=12), inner, max_size=4)
    ),
    max_leaves=20,
)
HL7_ALPHABET = (
    st.sampled_from(list("|^~\\&\r\nMSHPIDVOBXTA0123456789 .brXFSTREZ-")) | st.characters()
)


def _check(data: bytes, fmt: ImportFormat) -> None:
    for item in read_interop_bytes(data, SOURCE, fmt):
        assert isinstance(item, ImportDocument | ImportFormatError)
        if isinstance(item, ImportFormatError):
            assert item.message.startswith("fuzz.in")


def _leaves(value: Any, path: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    if isinstance(value, dict):
        return [p for k, v in value.items() for p in _leaves(v, (*path, k))] or [path]
    if isinstance(value, list):
        return [p for i, v in enumerate(value) for p in _leaves(v, (*path, i))] or [path]
    return [path]


def _mutated(data: Any, path: tuple[Any, ...], value: Any) -> Any:
    if not path:
        return value
    copy = list(data) if isinstance(data, list) else dict(data)
    copy[path[0]] = _mutated(data[path[0]], path[1:], value)
    return copy


@FUZZ
@given(st.binary(max_size=300) | st.text(max_size=300).map(str.encode))
def test_fhir_arbitrary_bytes(data: bytes) -> None:
    _check(data, ImportFormat.FHIR)


@FUZZ
@given(json_values)
def test_fhir_arbitrary_json_in_a_bundle(value: Any) -> None:
    _check(json.dumps(value).encode(), ImportFormat.FHIR)
    _check(
        json.dumps({"resourceType": "Bundle", "type": "collection", "entry": value}).encode(),
        ImportFormat.FHIR,
    )


@FUZZ
@given(st.data(), json_values)
def test_fhir_a_valid_bundle_with_one_value_changed(data: st.DataObject, value: Any) -> None:
    original = bundle(
        base64_data=data.draw(st.booleans()), klass=data.draw(st.sampled_from(["IMP", "AMB"]))
    )
    path = data.draw(st.sampled_from(_leaves(original)))
    _check(json.dumps(_mutated(original, path, value)).encode(), ImportFormat.FHIR)


@FUZZ
@given(st.text(HL7_ALPHABET, max_size=400))
def test_hl7_arbitrary_text(text: str) -> None:
    _check(("MSH|^~\\&|" + text).encode("utf-8", "surrogatepass"), ImportFormat.HL7)
    _check(text.encode("utf-8", "surrogatepass"), ImportFormat.HL7)


@FUZZ
@given(st.data(), st.text(HL7_ALPHABET, max_size=30))
def test_hl7_a_valid_message_with_a_span_replaced(data: st.DataObject, insert: str) -> None:
    message = data.draw(st.sampled_from([mdm(), oru()]))
    start = data.draw(st.integers(0, len(message)))
    end = data.draw(st.integers(start, min(len(message), start + 20)))
    changed = message[:start] + insert + message[end:]
    _check(changed.encode("utf-8", "surrogatepass"), ImportFormat.HL7)
