"""The ``medcoder`` command line.

``main`` is the top group; each command lives in a module of this package by domain
(``codesets``, ``codes``, ``coding``, ``spark``, ``records``, ``claims``, ``review``,
``queries``, ``users``, ``edits``, ``pcs``, ``hcpcs``, ``drg``, ``hcc``, ``reports``,
``serve``) and is imported
only when it runs, so ``medcoder --help`` and every command start without loading what
other commands need (the API, the database, the coding engine). Command modules take their
shared helpers from :mod:`medcoder.cli.common` and never import this module.

Every deliberate error prints one ``error[Exxx]: ...`` line (and a ``hint:`` line) on
stderr and exits 2; an unexpected one prints one line too, never a traceback.
"""

from __future__ import annotations

from pathlib import Path

import click

from medcoder.cli.lazy import LazyCommand, LazyGroup

__all__ = ["COMMANDS", "main"]


def _at(module: str, attribute: str, short_help: str) -> LazyCommand:
    return LazyCommand(f"medcoder.cli.{module}", attribute, short_help)


#: Every top-level command: its module, its name there, and its one-line help.
COMMANDS: dict[str, LazyCommand] = {
    "setup": _at("codesets", "setup",
                 "Build every code-set release found in the CMS data folder (and a CPT file)."),
    "codesets": _at("codesets", "codesets", "List installed releases and compare them."),
    "codes": _at("codes", "codes",
                 "Look up, validate and search codes; walk the index and tables."),
    "code": _at("coding", "code_note",
                "Code a clinical note: ICD-10-CM codes in order, with evidence, path and rules."),
    "batch": _at("coding", "batch",
                 'Code every note of a JSONL file ({"id","text",...} per line) into OUTPUT.'),
    "spark-code": _at("spark", "spark_code", "Code a Parquet table of notes on Apache Spark "
                      "into a Parquet folder (the fields of batch)."),
    "evaluate": _at("coding", "evaluate",
                    'Score the engine on a gold file ({"id","text","icd10cm":[...]} per line).'),
    "db": _at("records", "db_group", "Create or migrate the records database."),
    "import": _at("records", "import_command",
                  "Import documents: JSONL, FHIR R4 Bundles, HL7 v2 messages, a .txt note with "
                  "a .json sidecar, or a folder of them."),
    "run-coding": _at("records", "run_coding",
                      "Run the coding engine and store its suggestions for review."),
    "queue": _at("records", "queue", "Encounters awaiting review, oldest first, a page at a time."),
    "export": _at("records", "export", "The reported codes of finalized encounters."),
    "claim": _at("claims", "claim", "A finalized encounter as a claim: X12 837P, 837I or a "
                 "FHIR R4 Bundle."),
    "audit": _at("records", "audit_group", "The hash-chained audit trail."),
    "review": _at("review", "review", "Review ENCOUNTER's codes: show, accept, reject, change, "
                  "add, sequence, set (units, modifiers), poa, finalize, reopen; take, release, "
                  "assign (who works it)."),
    "query": _at("queries", "query_group", "Physician queries: templates, ask, list, answer, "
                 "close, report."),
    "users": _at("users", "users_group", "Add users, list them, change their role."),
    "autonomy": _at("autonomy", "autonomy_group", "Autonomous coding: finalize confident "
                    "encounters without review (manager's policy)."),
    "keys": _at("users", "keys_group", "The encryption key for PHI at rest."),
    "check": _at("edits", "check", "Check a claim (JSON: date_of_service, setting, age, sex, "
                 "codes) against the edits."),
    "edits": _at("edits", "edits", "Claim edits on stored encounters."),
    "pcs": _at("pcs", "pcs_group", "ICD-10-PCS: show, validate and search codes, list table "
               "rows, compare releases."),
    "hcpcs": _at("hcpcs", "hcpcs",
                 "HCPCS Level II codes and modifiers, and CPT numbers, on a date of service."),
    "drg": _at("drg", "drg", "Group an inpatient stay to its MS-DRG (v43): weight, CC/MCC, "
               "what a CC or MCC would change."),
    "hcc": _at("hcc", "hcc",
               "CMS-HCC risk score of codes or a patient-year: HCCs, interactions, raw score."),
    "report": _at("reports", "report", "Reports on coded data: codes, casemix, hcc, comorbidity, "
                  "coders, agreement, dnfb, edits, release-impact."),
    "outcomes": _at("reports", "outcomes", "A registry's outcomes by month: readmissions, "
                    "mortality, LOS observed/expected, hospital-acquired conditions."),
    "registry": _at("reports", "registry_group",
                    "Registries: define from a JSON file, list, members, extract."),
    "serve": _at("serve", "serve",
                 "Serve the REST API (/v1, /openapi.json) and the coder's workbench (/)."),
}  # fmt: skip


@click.group(cls=LazyGroup, lazy_commands=COMMANDS)
@click.option(
    "--home",
    type=click.Path(path_type=Path, file_okay=False),
    envvar="MEDCODER_HOME",
    help="Where built releases live (default: $MEDCODER_HOME or the user data dir).",
)
@click.version_option(package_name="medcoder")
@click.pass_context
def main(ctx: click.Context, home: Path | None) -> None:
    """medcoder: medical coding from clinical text, on versioned official code sets."""
    ctx.ensure_object(dict)
    ctx.obj["home"] = home
