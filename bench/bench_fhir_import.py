"""Records-in benchmark (issue 12): FHIR R4 Bundles and HL7 v2 messages read and
validated, beside the JSONL reader on the same documents, and imported end to end.

1. N synthetic encounters (one note of 1-3 KB each, from templates with random
   conditions; half the FHIR attachments inline base64, half a contained Binary) are
   written three ways: an NDJSON file of N Bundles (Patient, Encounter, DocumentReference),
   an HL7 v2 file of N MDM^T02 messages, and a JSONL file of the same N documents.
2. Parse + validate (``records.importer.read_path``: the R4B models or the hl7 package,
   then the JSONL rules), best of ``--repeat`` runs each, in the same process and run:
   FHIR, HL7, and the yardsticks JSONL (the reader every format shares its rules with) and
   bare ``json.loads`` of each Bundle line (the floor any JSON reader pays).
3. End to end: ``Records.import_path`` of the FHIR file, then of the JSONL file, each into
   a fresh SQLite records database (encryption, blind indexes, audit trail): encounters/s.

Everything is synthetic; nothing here is PHI. No code-set release is needed.

    python bench/bench_fhir_import.py [--bundles 1000] [--repeat 3]
"""

from __future__ import annotations

import argparse
import base64
import json
import os
import random
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

TARGET_S = 10.0  # parse + validate 1,000 Bundles
CONDITIONS = (
    "Type 2 diabetes mellitus without complications",
    "Essential hypertension",
    "Hyperlipidemia",
    "Asthma, mild intermittent",
    "Chronic kidney disease stage 3a",
    "Gastroesophageal reflux disease",
    "Atrial fibrillation",
    "Hypothyroidism",
    "Community acquired pneumonia",
    "Urinary tract infection",
)
FILLER = (
    "The patient reports adherence to the medication plan and no new complaints. "
    "Vital signs were reviewed and are stable. Labs from the last visit were discussed. "
)
GIVEN = ("Ottoline", "Brunhilde", "Quillon", "Zephyrine", "Albrecht", "Marisol")
FAMILY = ("Vantablack", "Quist", "Marrowby", "Pargeter", "Oddfellow", "Thistlewood")


def _case(number: int, rng: random.Random) -> dict[str, Any]:
    a, b, c = rng.sample(CONDITIONS, 3)
    text = (
        f"HISTORY: Follow-up of {a} and {b}.\n{FILLER * rng.randint(3, 12)}\n"
        f"ASSESSMENT:\n1. {a}.\n2. {b}.\n3. {c}.\nPLAN: Recheck in 3 months."
    )
    inpatient = rng.random() < 0.3
    return {
        "mrn": f"QB-{number:07d}",
        "name": f"{rng.choice(GIVEN)} {rng.choice(FAMILY)}",
        "dob": f"{rng.randint(1930, 2005)}-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}",
        "sex": rng.choice("FM"),
        "encounter_id": f"BE-{number:07d}",
        "setting": "inpatient" if inpatient else "outpatient",
        "day": f"2026-0{rng.randint(1, 4)}-{rng.randint(10, 28):02d}",
        "kind": "progress",
        "text": text,
    }


def _bundle(case: dict[str, Any], inline: bool) -> dict[str, Any]:
    data = base64.b64encode(case["text"].encode()).decode()
    attachment: dict[str, Any] = {"contentType": "text/plain"}
    document: dict[str, Any] = {
        "resourceType": "DocumentReference",
        "status": "current",
        "type": {"text": case["kind"]},
        "subject": {"reference": "urn:uuid:p"},
        "context": {"encounter": [{"reference": "urn:uuid:e"}]},
        "content": [{"attachment": attachment}],
    }
    if inline:
        attachment["data"] = data
    else:
        attachment["url"] = "#n"
        document["contained"] = [
            {"resourceType": "Binary", "id": "n", "contentType": "text/plain", "data": data}
        ]
    inpatient = case["setting"] == "inpatient"
    period = {"start": case["day"], **({"end": case["day"]} if inpatient else {})}
    given, family = case["name"].split()
    gender = "female" if case["sex"] == "F" else "male"
    mr = {"coding": [{"code": "MR"}]}
    return {
        "resourceType": "Bundle",
        "type": "collection",
        "entry": [
            {
                "fullUrl": "urn:uuid:p",
                "resource": {
                    "resourceType": "Patient",
                    "identifier": [{"type": mr, "value": case["mrn"]}],
                    "name": [{"family": family, "given": [given]}],
                    "birthDate": case["dob"],
                    "gender": gender,
                },
            },
            {
                "fullUrl": "urn:uuid:e",
                "resource": {
                    "resourceType": "Encounter",
                    "status": "finished",
                    "identifier": [{"value": case["encounter_id"]}],
                    "class": {"code": "IMP" if inpatient else "AMB"},
                    "period": period,
                },
            },
            {"resource": document},
        ],
    }


def _mdm(case: dict[str, Any]) -> str:
    day = case["day"].replace("-", "")
    given, family = case["name"].split()
    dob = case["dob"].replace("-", "")
    pv1 = ["PV1", "1", "I" if case["setting"] == "inpatient" else "O"] + [""] * 43
    pv1[19], pv1[44] = case["encounter_id"], day
    if case["setting"] == "inpatient":
        pv1[45] = day
    text = case["text"].replace("\\", "\\E\\").replace("|", "\\F\\").replace("\n", "\\.br\\")
    return "\r".join(
        [
            f"MSH|^~\\&|EHR|F|MC|F|{day}||MDM^T02|{case['encounter_id']}|P|2.5.1",
            f"PID|1||{case['mrn']}^^^F^MR||{family}^{given}||{dob}|{case['sex']}",
            "|".join(pv1),
            f"TXA|1|PR|TX|{day}",
            f"OBX|1|TX|11506-3^Progress note^LN||{text}||||||F",
        ]
    )


def _jsonl(case: dict[str, Any]) -> dict[str, Any]:
    row = {k: v for k, v in case.items() if k != "day"}
    if case["setting"] == "inpatient":
        return {**row, "admit_date": case["day"], "discharge_date": case["day"]}
    return {**row, "date": case["day"]}


def _best(fn: Callable[[], int], repeat: int, expected: int) -> float:
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        count = fn()
        times.append(time.perf_counter() - start)
        if count != expected:
            raise SystemExit(f"expected {expected} documents, read {count}")
    return min(times)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--bundles", type=int, default=1000)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--seed", type=int, default=12)
    args = parser.parse_args(argv)
    rng = random.Random(args.seed)
    n = args.bundles
    for name in ("MEDCODER_DATABASE_URL", "MEDCODER_NEW_KEY", "MEDCODER_USER"):
        os.environ.pop(name, None)
    os.environ["MEDCODER_KEY"] = base64.b64encode(bytes(range(32))).decode()

    from medcoder.errors import ImportFormatError
    from medcoder.kinds import ImportFormat
    from medcoder.records.importer import read_path
    from medcoder.records.service import Records

    with tempfile.TemporaryDirectory(prefix="medcoder-bench-fhir-") as folder:
        root = Path(folder)
        cases = [_case(i, rng) for i in range(n)]
        fhir, hl7, jsonl = root / "in.ndjson", root / "in.hl7", root / "in.jsonl"
        fhir.write_text(
            "".join(json.dumps(_bundle(c, i % 2 == 0)) + "\n" for i, c in enumerate(cases))
        )
        hl7.write_text("\r\n".join(_mdm(c) for c in cases) + "\r")
        jsonl.write_text("".join(json.dumps(_jsonl(c)) + "\n" for c in cases))

        def read(path: Path, fmt: ImportFormat) -> Callable[[], int]:
            def run() -> int:
                items = list(read_path(path, fmt))
                bad = [i for i in items if isinstance(i, ImportFormatError)]
                if bad:
                    raise SystemExit(f"{path.name}: {bad[0].message}")
                return len(items)

            return run

        def bare_json() -> int:
            with fhir.open(encoding="utf-8") as handle:
                return sum(1 for line in handle if json.loads(line))

        read(fhir, ImportFormat.FHIR)()  # warm: model classes, imports
        figures = {
            "FHIR Bundles, parse + validate": _best(read(fhir, ImportFormat.FHIR), args.repeat, n),
            "HL7 v2 MDM^T02, parse + validate": _best(read(hl7, ImportFormat.HL7), args.repeat, n),
            "yardstick: JSONL reader, same documents": _best(
                read(jsonl, ImportFormat.JSONL), args.repeat, n
            ),
            "yardstick: json.loads of each Bundle": _best(bare_json, args.repeat, n),
        }
        end_to_end = {}
        for label, path in (("FHIR", fhir), ("JSONL (yardstick)", jsonl)):
            home = root / f"home-{path.suffix[1:]}"
            home.mkdir()
            os.environ["MEDCODER_HOME"] = str(home)
            Records.init(home).close()
            records = Records.open(home)
            records.add_user(None, "root", "admin")
            records.add_user("root", "mia", "manager")
            start = time.perf_counter()
            report = records.import_path("mia", path)
            end_to_end[label] = time.perf_counter() - start
            records.close()
            if report.errors or report.documents_added != n:
                raise SystemExit(f"{label}: {report.documents_added} stored, {report.errors[:2]}")

    yard = figures["yardstick: JSONL reader, same documents"]
    sizes = [len(c["text"]) for c in cases]
    print(
        f"medcoder records-in bench: {n:,} encounters (notes {min(sizes):,}-"
        f"{max(sizes):,} chars); best of {args.repeat}; "
        f"Python {sys.version.split()[0]}; {os.cpu_count()} CPUs; load {os.getloadavg()[0]:.1f}"
    )
    width = max(len(k) for k in figures) + 2
    print(f"{'read and validate':<{width}}  {'seconds':>8}  {'docs/s':>8}  {'x JSONL':>7}")
    for name, seconds in figures.items():
        print(f"{name:<{width}}  {seconds:>8.3f}  {n / seconds:>8,.0f}  {seconds / yard:>7.2f}")
    print(f"{'import into SQLite':<{width}}  {'seconds':>8}  {'enc/s':>8}")
    for name, seconds in end_to_end.items():
        print(f"{name:<{width}}  {seconds:>8.3f}  {n / seconds:>8,.0f}")
    fhir_s = figures["FHIR Bundles, parse + validate"] * 1000 / n
    verdict = "PASS" if fhir_s <= TARGET_S else "MISS"
    print(
        f"FHIR parse + validate, scaled to 1,000 Bundles: {fhir_s:.2f} s "
        f"(target <= {TARGET_S:.0f} s): {verdict}"
    )
    return 0 if verdict == "PASS" else 1


if __name__ == "__main__":
    sys.exit(main())
