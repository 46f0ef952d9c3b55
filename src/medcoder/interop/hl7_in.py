"""HL7 v2 messages in: MDM^T02 (a document with its content) and ORU^R01 (a report),
each one import record in the JSONL line schema of ``records.importer``.

Read through the ``hl7`` package: PID-3 (the identifier of type MR, else the first) is the
MRN, PID-5 the name, PID-7 the date of birth, PID-8 the sex (table 0001); PV1-2 the class
(I inpatient, O outpatient, E emergency), PV1-19 the visit number (the encounter id),
PV1-44/45 admission and discharge, PV1-36 the discharge disposition (kept when it is a
two-digit UB-04 status), PV1-7 the attending; TXA-2 (table 0270) or OBR-4 the kind of
document. The note is every OBX-5 of value type TX or FT, repetitions and segments one
line each, escapes decoded (v2.5.1 section 2.7: \\F\\ \\S\\ \\T\\ \\R\\ \\E\\, \\.br\\ as a
line break, \\Xhh..\\ as bytes, read as UTF-8 where they are, else Latin-1).

A file holds any number of messages: MLLP framing (0x0b ... 0x1c 0x0d), blank lines or
just the next MSH between them; FHS/BHS/BTS/FTS batch segments are skipped. Segments end
at CR, LF or CRLF. Places are ``message 3 PID-7`` (messages counted from 1, as in a
batch's BTS-1 count). One bad value refuses its whole message.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterator
from typing import Any

from medcoder.errors import ImportFormatError
from medcoder.interop.code_values import DISCHARGE_STATUS_FORM
from medcoder.interop.source import SourceDocument, SourceMessage, SourceProblem

MESSAGE_TYPES = {("MDM", "T02"), ("ORU", "R01")}
CLASSES = {"I": "inpatient", "O": "outpatient", "E": "emergency"}  # table 0004
SEXES = {"F": "F", "M": "M", "O": "U", "U": "U", "A": "U", "N": "U", "X": "U"}  # table 0001
# Table 0270 document types, as the kinds a JSONL line would name them.
DOCUMENT_TYPES = {
    "AR": "autopsy report",
    "CD": "cardiodiagnostics",
    "CN": "consultation",
    "DI": "diagnostic imaging",
    "DS": "discharge summary",
    "ED": "emergency department report",
    "HP": "history and physical",
    "OP": "operative report",
    "PC": "psychiatric consultation",
    "PH": "psychiatric history",
    "PN": "procedure note",
    "PR": "progress note",
    "SP": "surgical pathology",
    "TS": "transfer summary",
}
TEXT_TYPES = {"TX", "FT"}
BATCH_SEGMENTS = (b"FHS", b"BHS", b"BTS", b"FTS")
DTM = re.compile(r"([0-9]{4})([0-9]{2})([0-9]{2})([0-9]{0,6})(\.[0-9]{1,4})?([+-][0-9]{4})?")
# The escapes the hl7 package decodes (2.7.1-2.7.6); others (\Zxx\ application-defined,
# \Cxxyy\ and \Mxxyyzz\ character-set switches) are refused rather than dropped.
ESCAPE = re.compile(
    r"[FSTREHN]|\.(?:br|ce|fi|nf|(?:sp|in|ti|sk)[+-]?[0-9]{0,3})|X(?:[0-9A-Fa-f]{2})+"
)


class _TextEscapes(dict[str, str]):
    """The ``hl7`` package's application map for note text: \\.br\\ a line feed (the package
    writes CR), highlighting dropped, hex bytes read as UTF-8 where they are."""

    def __init__(self) -> None:
        super().__init__({".br": "\n", ".sp": "\n", ".ce": "\n", "H": "", "N": ""})

    def __contains__(self, key: object) -> bool:
        return super().__contains__(key) or (isinstance(key, str) and key.startswith("X"))

    def __missing__(self, key: str) -> str:
        raw = bytes.fromhex(key[1:])
        try:
            return raw.decode("utf-8")
        except UnicodeDecodeError:
            return raw.decode("latin-1")


class _Message:
    """One parsed message, read field by field (place names: ``message 3 PID-7``)."""

    def __init__(self, number: int, text: str) -> None:
        import hl7

        self.where = f"message {number}"
        try:
            self.message: Any = hl7.parse(text)
            self.esc = str(self.message.esc)
            self.repeat = str(self.message.separators[2])
        except Exception as exc:  # the package raises several kinds on a bad MSH
            raise SourceProblem(
                f"{self.where} MSH", f"not an HL7 message ({type(exc).__name__})"
            ) from None

    def place(self, segment: str, field: int) -> str:
        return f"{self.where} {segment}-{field}"

    def segments(self, name: str) -> list[Any]:
        return [s for s in self.message if str(s[0]) == name]

    def segment(self, name: str, *, required: bool = True) -> Any:
        found = self.segments(name)
        if not found and required:
            raise SourceProblem(f"{self.where} {name}", "missing segment")
        return found[0] if found else None

    def raw(self, segment: Any, field: int) -> str:
        """The field as written (escapes in place), checked for escapes this decodes."""
        text = str(segment[field]) if segment is not None and field < len(segment) else ""
        parts = text.split(self.esc)
        bad = [p for p in parts[1::2] if not ESCAPE.fullmatch(p)]
        if bad or len(parts) % 2 == 0:
            shown = f"escape {self.esc}{bad[0][:12]}{self.esc}" if bad else "unclosed escape"
            raise SourceProblem(self.place(str(segment[0]), field), f"{shown} not decoded here")
        return text

    def value(self, segment: Any, field: int, repeat: int = 1, component: int = 1) -> str:
        """One component, unescaped ('' where absent)."""
        if segment is None:
            return ""
        self.raw(segment, field)
        try:
            return str(segment.extract_field(1, field, repeat, component, 1)).strip()
        except IndexError:
            return ""

    def repeats(self, segment: Any, field: int) -> int:
        return len(self.raw(segment, field).split(self.repeat))

    def text(self, segment: Any, field: int) -> str:
        """A TX/FT value, each repetition a line."""
        repeats = self.raw(segment, field).split(self.repeat)
        return "\n".join(self.message.unescape(r, app_map=_TextEscapes()) for r in repeats)

    def day(self, segment: Any, field: int) -> str | None:
        value = self.value(segment, field)
        if not value:
            return None
        match = DTM.fullmatch(value)
        try:
            if match is None:
                raise ValueError
            return dt.date(*(int(match.group(g)) for g in (1, 2, 3))).isoformat()
        except ValueError:
            problem = "not a date (YYYYMMDD[HHMM[SS]][+ZZZZ])"  # the value may be PHI
            raise SourceProblem(self.place(str(segment[0]), field), problem) from None


def _patient(m: _Message) -> dict[str, str]:
    pid = m.segment("PID")
    data: dict[str, str] = {}
    ids = [(m.value(pid, 3, r, 1), m.value(pid, 3, r, 5)) for r in range(1, m.repeats(pid, 3) + 1)]
    mrns = [value for value, kind in ids if value and kind == "MR"] + [v for v, _ in ids if v]
    if mrns:
        data["mrn"] = mrns[0]
    # XPN: family ^ given ^ second given ^ suffix
    name = [m.value(pid, 5, 1, c) for c in (2, 3, 1, 4)]
    if any(name):
        data["name"] = " ".join(part for part in name if part)
    dob = m.day(pid, 7)
    if dob:
        data["dob"] = dob
    sex = m.value(pid, 8).upper()
    if sex:
        if sex not in SEXES:
            raise SourceProblem(m.place("PID", 8), "not a sex of table 0001 (F, M, O, U, A, N, X)")
        data["sex"] = SEXES[sex]
    return data


def _visit(m: _Message) -> dict[str, str]:
    pv1 = m.segment("PV1")
    klass = m.value(pv1, 2).upper()
    if klass not in CLASSES:
        raise SourceProblem(m.place("PV1", 2), f"patient class {klass[:10]!r} is not I, O or E")
    data = {"setting": CLASSES[klass]}
    if visit := m.value(pv1, 19):
        data["encounter_id"] = visit
    admit, discharge = m.day(pv1, 44), m.day(pv1, 45)
    if klass == "I":
        dates = {"admit_date": admit, "discharge_date": discharge}
    else:  # one date of service: the visit, else the document's activity or observation
        txa, obr = m.segment("TXA", required=False), m.segment("OBR", required=False)
        dates = {"date": admit or discharge or m.day(txa, 4) or m.day(obr, 7)}
    data |= {key: value for key, value in dates.items() if value}
    if DISCHARGE_STATUS_FORM.fullmatch(status := m.value(pv1, 36)):
        data["discharge_status"] = status
    attending = [m.value(pv1, 7, 1, c) for c in (3, 2)]  # XCN: id ^ family ^ given
    if any(attending):
        data["attending"] = " ".join(part for part in attending if part)
    return data


def _note(m: _Message, kind: str) -> tuple[str, str]:
    """The kind of document and its text (the TX/FT OBX values, withdrawn ones left out)."""
    if kind == "MDM":
        code = m.value(m.segment("TXA"), 2).upper()
        label = DOCUMENT_TYPES.get(code, code.lower() or "note")
    else:
        obr = m.segment("OBR", required=False)
        label = m.value(obr, 4, 1, 2) or m.value(obr, 4) or "report"
    lines = [
        m.text(obx, 5)
        for obx in m.segments("OBX")
        if m.value(obx, 2).upper() in TEXT_TYPES and m.value(obx, 11).upper() != "W"
    ]
    if not any(line.strip() for line in lines):
        raise SourceProblem(f"{m.where} OBX-5", "no note text (no OBX of value type TX or FT)")
    return label, "\n".join(lines)


FIELDS = {
    "mrn": "PID-3",
    "name": "PID-5",
    "dob": "PID-7",
    "sex": "PID-8",
    "setting": "PV1-2",
    "encounter_id": "PV1-19",
    "date": "PV1-44",
    "admit_date": "PV1-44",
    "discharge_date": "PV1-45",
    "discharge_status": "PV1-36",
    "attending": "PV1-7",
    "text": "OBX-5",
}


def message_document(number: int, text: str) -> SourceDocument:
    """The document of one message (segments joined by CR), or SourceProblem."""
    m = _Message(number, text)
    msh = m.segment("MSH")
    kind, trigger = m.value(msh, 9, 1, 1).upper(), m.value(msh, 9, 1, 2).upper()
    if (kind, trigger) not in MESSAGE_TYPES:
        shown = f"{kind}^{trigger}"[:20]
        raise SourceProblem(m.place("MSH", 9), f"{shown} is not MDM^T02 or ORU^R01")
    data = {**_patient(m), **_visit(m)}
    data["kind"], data["text"] = _note(m, kind)
    fields = {key: f"{m.where} {field}" for key, field in FIELDS.items()}
    fields["kind"] = f"{m.where} {'TXA-2' if kind == 'MDM' else 'OBR-4'}"
    return SourceDocument(data, m.where, fields)


def _messages(data: bytes) -> Iterator[tuple[int, list[bytes]] | ImportFormatError]:
    """Each message's segments with the line its MSH is on (a stray segment: an error)."""
    lines = data.replace(b"\x0b", b"").replace(b"\x1c", b"").replace(b"\r\n", b"\n")
    current: list[bytes] = []
    start = 0
    for number, line in enumerate(re.split(rb"[\r\n]", lines), start=1):
        line = line.strip(b" \t\x00")
        if not line or line.startswith(BATCH_SEGMENTS):
            continue
        if line.startswith(b"MSH"):
            if current:
                yield start, current
            current, start = [line], number
        elif current:
            current.append(line)
        else:
            shown = line[:3].decode("latin-1")
            yield ImportFormatError("", f"segment {shown!r} before any MSH", line=number)
    if current:
        yield start, current


def read_hl7(data: bytes, source: str) -> Iterator[SourceMessage | ImportFormatError]:
    """Each message of ``data`` as its document, or the error that keeps it out. UTF-8,
    or ISO 8859-1 where MSH-18 says 8859/1."""
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    count = 0
    for item in _messages(data):
        if isinstance(item, ImportFormatError):
            yield ImportFormatError(source, item.problem, line=item.line)
            continue
        count += 1
        line, segments = item
        raw = b"\r".join(segments)
        try:
            try:
                text = raw.decode("utf-8")
            except UnicodeDecodeError:
                if b"|8859/1" not in segments[0]:
                    problem = "not UTF-8 (MSH-18 names no 8859/1)"
                    raise SourceProblem(f"message {count}", problem) from None
                text = raw.decode("latin-1")
            yield SourceMessage(line, (message_document(count, text),))
        except SourceProblem as exc:
            yield ImportFormatError(source, str(exc), line=line)
    if count == 0:
        yield ImportFormatError(source, "no HL7 message (no MSH segment)")
