"""``medcoder review ENCOUNTER show|accept|reject|change|add|sequence|finalize|reopen``.

Each subcommand calls the records service as the acting user (``--user`` or
``$MEDCODER_USER``, given before the subcommand); the service checks roles and audits.
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

import click

from medcoder.cli.common import friendly_errors, records, user_option

if TYPE_CHECKING:  # the database stack loads only when a subcommand runs
    from medcoder.records.service import Records

__all__ = ["review"]


# -- review ------------------------------------------------------------------------------
@click.group("review")
@click.argument("encounter")
@user_option
@click.pass_context
def review(ctx: click.Context, encounter: str, user: str | None) -> None:
    """Review ENCOUNTER's codes: show, accept, reject, change, add, sequence, finalize, reopen."""
    ctx.obj["encounter"] = encounter
    ctx.obj["user"] = user


def _target(ctx: click.Context) -> tuple[Records, str | None, str]:
    return records(ctx), ctx.obj.get("user"), str(ctx.obj["encounter"])


@review.command("show")
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text")
@click.pass_context
@friendly_errors
def review_show(ctx: click.Context, fmt: str) -> None:
    """The encounter, its patient, documents and codes (reading it is audited)."""
    database, user, encounter = _target(ctx)
    view = database.encounter_view(user, encounter)
    if fmt == "json":
        data: dict[str, Any] = {
            "encounter": view.encounter,
            "status": view.status,
            "setting": view.setting,
            "date_of_service": view.date_of_service.isoformat() if view.date_of_service else None,
            "payer": view.payer,
            "attending": view.attending,
            "mrn": view.mrn,
            "name": view.name,
            "dob": view.dob.isoformat(),
            "sex": view.sex,
            "documents": [{"kind": k, "text": t} for k, t in view.documents],
            "codes": [c.to_json() for c in view.codes],
        }
        click.echo(json.dumps(data, indent=2, ensure_ascii=False))
        return
    click.echo(
        f"{view.encounter} ({view.status}): {view.setting}, {view.date_of_service}, "
        f"payer {view.payer or '-'}"
    )
    click.echo(f"patient {view.name}, MRN {view.mrn}, born {view.dob}, sex {view.sex or '-'}")
    for c in view.codes:
        conf = f" {c.confidence:.2f}" if c.confidence is not None else ""
        why = f" ({c.reason})" if c.reason else ""
        click.echo(
            f"  {c.sequence:>2} {c.code:<9} {c.status:<9} {c.source:<6}{conf} {c.title}{why}"
        )


@review.command("accept")
@click.argument("codes", nargs=-1, required=True)
@click.pass_context
@friendly_errors
def review_accept(ctx: click.Context, codes: tuple[str, ...]) -> None:
    """Accept suggested codes."""
    database, user, encounter = _target(ctx)
    for code in codes:
        database.accept(user, encounter, code)
        click.echo(f"{encounter}: accepted {code}")


@review.command("reject")
@click.argument("code")
@click.option("--reason", required=True, help="Why the code is not reported.")
@click.pass_context
@friendly_errors
def review_reject(ctx: click.Context, code: str, reason: str) -> None:
    """Reject a code (a reason is required)."""
    database, user, encounter = _target(ctx)
    database.reject(user, encounter, code, reason)
    click.echo(f"{encounter}: rejected {code}")


@review.command("change")
@click.argument("code")
@click.argument("new_code")
@click.option("--reason")
@click.pass_context
@friendly_errors
def review_change(ctx: click.Context, code: str, new_code: str, reason: str | None) -> None:
    """Replace CODE by NEW_CODE (validated in the release in force)."""
    database, user, encounter = _target(ctx)
    database.change(user, encounter, code, new_code, reason)
    click.echo(f"{encounter}: changed {code} to {new_code}")


@review.command("add")
@click.argument("code")
@click.option("--reason")
@click.pass_context
@friendly_errors
def review_add(ctx: click.Context, code: str, reason: str | None) -> None:
    """Add a code the engine did not suggest (validated in the release in force)."""
    database, user, encounter = _target(ctx)
    database.add(user, encounter, code, reason)
    click.echo(f"{encounter}: added {code}")


@review.command("sequence")
@click.argument("codes", nargs=-1, required=True)
@click.pass_context
@friendly_errors
def review_sequence(ctx: click.Context, codes: tuple[str, ...]) -> None:
    """Order the active codes: first-listed (or principal) first."""
    database, user, encounter = _target(ctx)
    database.resequence(user, encounter, codes)
    click.echo(f"{encounter}: sequenced {' '.join(codes)}")


@review.command("finalize")
@click.option("--acknowledge", help="Reason for reporting despite claim-edit warnings.")
@click.pass_context
@friendly_errors
def review_finalize(ctx: click.Context, acknowledge: str | None) -> None:
    """Lock the encounter (every suggestion decided; claim edits pass or are acknowledged)."""
    database, user, encounter = _target(ctx)
    database.finalize(user, encounter, acknowledge)
    click.echo(f"{encounter}: finalized")


@review.command("reopen")
@click.option("--reason", required=True, help="Why the finalized encounter is re-opened.")
@click.pass_context
@friendly_errors
def review_reopen(ctx: click.Context, reason: str) -> None:
    """Re-open a finalized encounter (audited; a reason is required)."""
    database, user, encounter = _target(ctx)
    database.reopen(user, encounter, reason)
    click.echo(f"{encounter}: re-opened")
