"""Reports and registries benchmark (issue 15).

1. A fresh SQLite records database gets P patients, E encounters (a third inpatient with
   an MS-DRG and a weight, 85% finalized, the rest in review or pending) and A code
   assignments (ICD-10-CM codes sampled from the installed release, statuses and engine
   confidences mixed, a few from an older release; a changed one replaced by another
   code of its encounter), plus one finalize audit event per
   finalized encounter (some with acknowledged edit warnings, some re-opened), all by
   bulk Core inserts (the service would take hours; the audit rows are not chained).
2. Each report (``run_report`` as an analyst: the permission check, the audited run and the
   query path) is timed, median of 3, beside a yardstick measured in the same run: a plain
   ``SELECT code, COUNT(*) FROM code_assignments GROUP BY code`` over the same table.
   ``hcc`` reads the stored patient-year scores (``records.hcc_store``, written at
   finalize): a bulk load bypasses finalize, so the one-time scoring of every patient-year
   (``hcc_store.fill``, what the first report on such a database does) is timed apart.
3. Registry enrollment per finalize: the four shipped registries (defined before the
   bulk load), then
   ``enrollment.on_finalize`` on 300 finalized encounters, one transaction each (as in
   finalize), against the same transaction with only the finalize audit event (each
   transaction loads the encounter with its codes and patient, as finalize has by the
   time its hooks run); and the
   same with the patient-year HCC rescoring (``hcc_store.on_change``) added as well.

``--postgres SERVER_URL`` runs it all on PostgreSQL instead, in a fresh schema of that
database (dropped at the end); ``--schema NAME`` uses (and keeps) that schema instead,
populated only the first time, the PostgreSQL counterpart of ``--keep``.

Everything is synthetic. The home's releases are the default MEDCODER_HOME's (linked).

    python bench/bench_reports.py [--quick] [--encounters N] [--assignments N] [--keep DIR]
        [--only KIND ...] [--no-enrollment] [--postgres postgresql+psycopg://u:p@host/db
        [--schema NAME]] [--from DAY] [--to DAY] [--setting S] [--payer P] [--coder C]
        [--release R] [--paired]

``--paired`` times the yardstick again just before each report and gives each report's
ratio to that one (on a shared machine the load moves between the first yardstick and the
last report). The filter options time every report a second time under those filters
(all of them together).
"""

from __future__ import annotations

import argparse
import base64
import datetime as dt
import json
import os
import random
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

CHUNK = 50_000
TARGET_REPORT_S = 1.0
TARGET_ENROLL_MS = 5.0
FILTERS = ("start", "end", "setting", "payer", "coder", "release")


def median_s(fn: Callable[[], object], runs: int = 3) -> float:
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def populate(records: object, patients: int, encounters: int, assignments: int, seed: int) -> None:
    from sqlalchemy import insert

    from medcoder.codesets.registry import Registry
    from medcoder.records.models import AuditEvent, CodeAssignment, Encounter, Patient

    rng = random.Random(seed)
    registry = Registry(records.home, quiet=True)  # type: ignore[attr-defined]
    release = registry.latest()
    codes = [c for c, _t, _b in release.title_rows(billable_only=True)]
    pool = rng.sample(codes, 3000)
    older = [i.name for i in registry.available()][:-1]
    cipher = records.cipher  # type: ignore[attr-defined]
    engine = records.engine  # type: ignore[attr-defined]
    drgs = [("291", 1.27), ("470", 1.9), ("871", 1.9), ("392", 0.75), ("194", 0.9)]
    payers = ["Medicare", "Acme", "Beta", "Medicaid"]
    coders = [f"coder{i}" for i in range(12)]
    with engine.begin() as conn:
        rows = []
        for pid in range(1, patients + 1):
            dob = dt.date(1930, 1, 1) + dt.timedelta(days=rng.randrange(30000))
            rows.append(
                dict(
                    id=pid,
                    mrn_index=f"bench-{pid}",
                    mrn_enc=cipher.encrypt(f"M{pid}", field="patients.mrn"),
                    name_enc=cipher.encrypt("Bench Person", field="patients.name"),
                    dob_enc=cipher.encrypt(dob.isoformat(), field="patients.dob"),
                    sex=rng.choice("FM"),
                )
            )
        conn.execute(insert(Patient), rows)
    start = dt.date(2025, 10, 1)
    encounter_rows, events = [], []
    inpatients: set[int] = set()
    for eid in range(1, encounters + 1):
        inpatient = rng.random() < 0.33
        if inpatient:
            inpatients.add(eid)
        day = start + dt.timedelta(days=rng.randrange(330))
        status = rng.choices(["finalized", "review", "pending"], [85, 10, 5])[0]
        created = dt.datetime.combine(day, dt.time(8), tzinfo=dt.UTC)
        final = created + dt.timedelta(hours=rng.randrange(1, 200))
        coder = rng.choice(coders)
        drg, weight = rng.choice(drgs)
        encounter_rows.append(
            dict(
                id=eid,
                external_id=f"B-{eid}",
                patient_id=rng.randrange(1, patients + 1),
                setting="inpatient" if inpatient else "outpatient",
                payer=rng.choice(payers),
                service_date=None if inpatient else day,
                admit_date=day - dt.timedelta(days=rng.randrange(1, 9)) if inpatient else None,
                discharge_date=day if inpatient else None,
                status=status,
                created_at=created,
                finalized_at=final if status == "finalized" else None,
                finalized_by=coder if status == "finalized" else None,
                drg=drg if inpatient and status == "finalized" else None,
                drg_version="v43" if inpatient and status == "finalized" else None,
                drg_weight=weight if inpatient and status == "finalized" else None,
            )
        )
        if status == "finalized":
            detail = (
                {"edit_warnings": [f"W{rng.randrange(9)}:{rng.choice(pool)}"]}
                if rng.random() < 0.1
                else {}
            )
            if rng.random() < 0.05:
                events.append((coder, "finalize", f"B-{eid}", {}))
                events.append(("reviewer", "reopen", f"B-{eid}", {"reason": "query"}))
            events.append((coder, "finalize", f"B-{eid}", detail))
    with engine.begin() as conn:
        for at in range(0, len(encounter_rows), CHUNK):
            conn.execute(insert(Encounter), encounter_rows[at : at + CHUNK])
        now = dt.datetime.now(dt.UTC).isoformat()
        audit_rows = [
            dict(
                id=n,
                at=now,
                actor=a,
                action=act,
                entity="encounter",
                entity_id=e,
                detail=json.dumps(d, sort_keys=True),
                prev_hash="0" * 64,
                hash=f"{n:064x}",
            )
            for n, (a, act, e, d) in enumerate(events, start=1_000_000)
        ]
        for at in range(0, len(audit_rows), CHUNK):
            conn.execute(insert(AuditEvent), audit_rows[at : at + CHUNK])
    statuses = ("accepted", "added", "rejected", "changed", "suggested")
    # Inpatient diagnoses carry a POA indicator (the comorbidity report's AHRQ rules read
    # it), drawn from a generator of its own so the codes stay those of earlier runs.
    poa_rng = random.Random(seed + 1)
    done = 0
    while done < assignments:
        size = min(CHUNK, assignments - done)
        rows = []
        for i in range(size):
            status = rng.choices(statuses, (60, 15, 10, 5, 10))[0]
            row = done + i
            rows.append(
                dict(
                    id=row + 1,
                    encounter_id=row % encounters + 1,
                    system="icd10cm",
                    code=rng.choice(pool),
                    title="synthetic",
                    sequence=row // encounters + 1,
                    source="coder" if status == "added" else "engine",
                    status=status,
                    confidence=None if status == "added" else round(rng.random(), 3),
                    release=rng.choice(older) if older and rng.random() < 0.05 else release.name,
                    updated_by=rng.choice(coders),
                    poa=poa_rng.choices("YNUW1", (80, 8, 4, 2, 6))[0]
                    if (done + i) % encounters + 1 in inpatients
                    else None,
                    # A changed suggestion points at the code that replaced it (in the
                    # service a new row; here the encounter's previous one, already stored).
                    replaced_by=row - encounters + 1
                    if status == "changed" and row >= encounters
                    else None,
                )
            )
        with engine.begin() as conn:
            conn.execute(insert(CodeAssignment), rows)
        done += size
    if engine.dialect.name == "postgresql":  # the ids were given: the sequence goes on after
        with engine.begin() as conn:
            conn.exec_driver_sql(
                "SELECT setval(pg_get_serial_sequence('code_assignments', 'id'), "
                "(SELECT max(id) FROM code_assignments))"
            )
    registry.close()


def bench_enrollment(records: object, count: int = 300) -> tuple[float, float, float]:
    from sqlalchemy import select
    from sqlalchemy.orm import joinedload, selectinload

    from medcoder.records import audit, enrollment, hcc_store
    from medcoder.records.models import Encounter
    from medcoder.registries.definition import examples

    defined = {r.name for r in records.list_registries("mia")}  # type: ignore[attr-defined]
    for registry in examples().values():
        if registry.name not in defined:  # defined before the bulk load (no backfill to time)
            records.define_registry("mia", registry)  # type: ignore[attr-defined]
    sessions = records._sessions  # type: ignore[attr-defined]
    cipher = records.cipher  # type: ignore[attr-defined]
    with sessions() as session:
        ids = list(
            session.scalars(
                select(Encounter.id).where(Encounter.status == "finalized").limit(count)
            )
        )
    loaded = [selectinload(Encounter.codes), joinedload(Encounter.patient)]
    with_hook, without, with_hcc = [], [], []
    for eid in ids:
        for hook, times in ((0, without), (1, with_hook), (2, with_hcc)):
            start = time.perf_counter()
            with sessions.begin() as session:
                # Loaded as finalize has it by then (its edits and DRG read the codes and
                # the patient), in all three variants: the hooks' cost is what they add.
                encounter = session.get(Encounter, eid, options=loaded)
                assert encounter is not None
                encounter.codes  # noqa: B018 (the load finalize has done)
                audit.record(
                    session,
                    actor="bench",
                    action="finalize",
                    entity="encounter",
                    entity_id=encounter.external_id,
                )
                if hook:
                    dob = cipher.decrypt(encounter.patient.dob_enc, field="patients.dob")
                    born = dt.date.fromisoformat(dob)
                    enrollment.on_finalize(session, "bench", encounter, born)
                    if hook == 2:
                        hcc_store.on_change(session, encounter, born)
            times.append((time.perf_counter() - start) * 1000)
    return statistics.median(with_hook), statistics.median(without), statistics.median(with_hcc)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--encounters", type=int, default=100_000)
    parser.add_argument("--assignments", type=int, default=1_000_000)
    parser.add_argument("--patients", type=int, default=30_000)
    parser.add_argument("--quick", action="store_true", help="10,000 encounters, 100,000 codes")
    parser.add_argument("--keep", type=Path, help="Use (and keep) this MEDCODER home.")
    parser.add_argument("--seed", type=int, default=15)
    parser.add_argument("--only", nargs="+", metavar="KIND", help="Time these reports only.")
    parser.add_argument("--no-enrollment", action="store_true", help="Skip the enrollment figure.")
    parser.add_argument("--postgres", metavar="URL", help="Bench this PostgreSQL server instead.")
    for name in FILTERS:  # parse_filters' keywords; ``start``/``end`` are --from/--to
        flag = {"start": "--from", "end": "--to"}.get(name, f"--{name}")
        parser.add_argument(flag, dest=name, help="Also time every report under this filter.")
    parser.add_argument(
        "--paired",
        action="store_true",
        help="Time the yardstick again just before each report (a machine whose load moves).",
    )
    parser.add_argument(
        "--schema", help="With --postgres: use (and keep) this schema; populated if new."
    )
    args = parser.parse_args(argv)
    if args.schema and not args.postgres:
        parser.error("--schema needs --postgres")
    if args.quick:
        args.encounters, args.assignments, args.patients = 10_000, 100_000, 3_000
    sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))
    from medcoder.records.service import Records
    from medcoder.settings import home_dir

    releases = home_dir() / "releases"
    home = args.keep or Path(tempfile.mkdtemp(prefix="bench-reports-"))
    os.environ["MEDCODER_HOME"] = str(home)
    os.environ.setdefault("MEDCODER_KEY", base64.b64encode(bytes(range(32))).decode())
    os.environ.pop("MEDCODER_DATABASE_URL", None)
    schema, fresh = None, not (home / "records.sqlite").exists()
    if args.postgres:
        schema, fresh = _postgres_schema(args.postgres, args.schema)
    home.mkdir(parents=True, exist_ok=True)
    if releases.is_dir() and not (home / "releases").exists():
        (home / "releases").symlink_to(releases, target_is_directory=True)
    Records.init(home).close()  # a kept database migrates to head
    records = Records.open(home)
    try:
        return _run(args, records, fresh)
    finally:
        records.close()
        if schema is not None and not args.schema:
            _drop_schema(args.postgres, schema)


def _postgres_schema(url: str, keep: str | None) -> tuple[str, bool]:
    """A fresh schema on the server (or ``keep``, created if missing); MEDCODER_DATABASE_URL
    points into it. Returns the schema and whether it is new (to populate)."""
    import psycopg
    from sqlalchemy.engine import make_url

    server = make_url(url)
    schema = keep or f"bench_reports_{os.getpid()}"
    if not schema.isidentifier():
        raise SystemExit(f"--schema {schema!r}: letters, digits and _ only")
    with psycopg.connect(
        server.set(drivername="postgresql").render_as_string(hide_password=False), autocommit=True
    ) as connection:
        found = connection.execute(
            "SELECT count(*) FROM information_schema.tables"
            " WHERE table_schema = %s AND table_name = 'code_assignments'",
            (schema,),
        ).fetchone()
        connection.execute(f"CREATE SCHEMA IF NOT EXISTS {schema}")
    os.environ["MEDCODER_DATABASE_URL"] = server.update_query_dict(
        {"options": f"-csearch_path={schema}"}
    ).render_as_string(hide_password=False)
    return schema, not (found and found[0])


def _drop_schema(url: str, schema: str) -> None:
    import psycopg
    from sqlalchemy.engine import make_url

    conninfo = make_url(url).set(drivername="postgresql").render_as_string(hide_password=False)
    with psycopg.connect(conninfo, autocommit=True) as connection:
        connection.execute(f"DROP SCHEMA IF EXISTS {schema} CASCADE")


def _run(args: argparse.Namespace, records: Any, fresh: bool) -> int:
    from sqlalchemy import text

    from medcoder.records import hcc_store
    from medcoder.reports.filters import ReportFilters, parse_filters
    from medcoder.reports.options import ReportOptions
    from medcoder.reports.runner import KINDS, run_report

    if fresh:
        records.add_user(None, "root", "admin")
        records.add_user("root", "ann", "analyst")
        records.add_user("root", "mia", "manager")
        from medcoder.registries.definition import examples

        for registry in examples().values():  # before the bulk load: nothing to backfill
            records.define_registry("mia", registry)
        start = time.perf_counter()
        populate(records, args.patients, args.encounters, args.assignments, args.seed)
        print(
            f"populated in {time.perf_counter() - start:.1f} s: {args.encounters:,} encounters, "
            f"{args.assignments:,} code assignments, {args.patients:,} patients "
            f"({records.engine.dialect.name})"
        )
        with records.engine.begin() as conn:
            conn.exec_driver_sql("ANALYZE")
    if args.only is None or "hcc" in args.only:
        start = time.perf_counter()
        with records._sessions.begin() as session:
            scored = hcc_store.fill(session, records.birth_dates)
        print(
            f"hcc_store.fill: {scored:,} patient-years scored and stored in "
            f"{time.perf_counter() - start:.1f} s (once; finalize keeps them after)"
        )

    def count_codes() -> float:
        with records.engine.connect() as conn:
            return median_s(
                lambda: conn.execute(
                    text("SELECT code, COUNT(*) FROM code_assignments GROUP BY code")
                ).all()
            )

    yardstick = count_codes()
    print(f"yardstick: SELECT code, COUNT(*) ... GROUP BY code  {yardstick * 1000:8.1f} ms")
    if records.engine.dialect.name == "sqlite":
        # The yardstick reads the narrowest covering index holding ``code`` (migration 0009
        # added two): the same count over the table itself, for runs before and after it.
        with records.engine.connect() as conn:
            scan = median_s(
                lambda: conn.execute(
                    text("SELECT code, COUNT(*) FROM code_assignments NOT INDEXED GROUP BY code")
                ).all()
            )
        print(f"(the same over the table, NOT INDEXED             {scan * 1000:8.1f} ms)")
    options = ReportOptions(as_of=dt.date(2026, 9, 30))
    filters = {k: getattr(args, k) for k in FILTERS if getattr(args, k) is not None}
    runs = [("", ReportFilters())]
    if filters:  # each report again under the filters given (do they still use the indexes?)
        runs.append((" ".join(f"{k}={v}" for k, v in filters.items()), parse_filters(**filters)))
    worst = 0.0
    for label, chosen in runs:
        if label:
            print(f"filtered: {label}")
        for kind in args.only or KINDS:
            if args.paired:  # under a load that changes by the minute
                yardstick = count_codes()
            seconds = median_s(
                lambda kind=kind, chosen=chosen: run_report(
                    records, "ann", kind, chosen, options=options
                )
            )
            worst = max(worst, seconds)
            flag = "ok" if seconds <= TARGET_REPORT_S else "OVER"
            paired = f" (yardstick {yardstick * 1000:.0f} ms just before)" if args.paired else ""
            print(
                f"report {kind:<15} {seconds * 1000:8.1f} ms  {seconds / yardstick:5.1f}x "
                f"yardstick  target <= {TARGET_REPORT_S:.0f} s {flag}{paired}"
            )
    if args.no_enrollment:
        return 0
    with_hook, without, with_hcc = bench_enrollment(records)
    added = with_hook - without
    flag = "ok" if added <= TARGET_ENROLL_MS else "OVER"
    print(
        f"finalize transaction (audit event only) {without:6.2f} ms; with enrollment in 4 "
        f"registries {with_hook:6.2f} ms: +{added:.2f} ms (target <= {TARGET_ENROLL_MS} ms) {flag}"
    )
    print(
        f"  ... and the patient-year HCC rescoring too {with_hcc:6.2f} ms: "
        f"+{with_hcc - without:.2f} ms over the audit event alone"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
