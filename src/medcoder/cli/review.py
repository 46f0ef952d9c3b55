"""``medcoder review ENCOUNTER show|accept|reject|change|add|sequence|set|poa|finalize|reopen``,
and ``take|release|assign`` (who works the encounter: issue 16, part 4).

Each subcommand calls the records service as the acting user (``--user`` or
``$MEDCODER_USER``, given before the subcommand); the service checks roles and audits.
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

import click

from medcoder.cli.common import friendly_errors, records, user_option

if TYPE_CHECKING:  # the database stack loads only when a subcommand runs
    from medcoder.records.service import LockView, Records

__all__ = ["review"]


# -- review ------------------------------------------------------------------------------
@click.group("review")
@click.argument("encounter")
@user_option
@click.pass_context
def review(ctx: click.Context, encounter: str, user: str | None) -> None:
    """Review ENCOUNTER's codes: show, accept, reject, change, add, sequence, set (units,
    modifiers), poa, finalize, reopen; take, release, assign (who works it)."""
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
        data = view.to_json()
        click.echo(json.dumps(data, indent=2, ensure_ascii=False))
        return
    click.echo(
        f"{view.encounter} ({view.status}): {view.setting}, {view.date_of_service}, "
        f"payer {view.payer or '-'}"
    )
    click.echo(f"patient {view.name}, MRN {view.mrn}, born {view.dob}, sex {view.sex or '-'}")
    if view.discharge_status or view.admit_date or view.discharge_date:
        click.echo(
            f"admitted {view.admit_date or '-'}, discharged {view.discharge_date or '-'}, "
            f"discharge status {view.discharge_status or '-'}"
        )
    for c in view.diagnoses:
        conf = f" {c.confidence:.2f}" if c.confidence is not None else ""
        why = f" ({c.reason})" if c.reason else ""
        poa = f" POA {c.poa} ({c.poa_source})" if c.poa else ""
        click.echo(
            f"  {c.sequence:>2} {c.code:<9} {c.status:<9} {c.source:<6}{conf} {c.title}{poa}{why}"
        )
    if view.procedures:
        click.echo("procedures:")
    for c in view.procedures:
        conf = f" {c.confidence:.2f}" if c.confidence is not None else ""
        why = f" ({c.reason})" if c.reason else ""
        line = f" x{c.units}" if c.units != 1 else ""
        mods = f" -{'-'.join(c.modifiers)}" if c.modifiers else ""
        click.echo(
            f"  {c.sequence:>2} {c.system:<8} {c.code}{mods}{line} {c.status:<9} {c.source:<6}"
            f"{conf} {c.title}{why}"
        )
    _echo_drg(view.drg, view.billed_drg)


def _echo_drg(drg: dict[str, Any] | None, billed: str | None) -> None:
    """The stay's MS-DRG as its codes group now: DRG, title, weight, GMLOS, the CC/MCC
    that count, and what a CC or MCC would change (impact only, never a code to add)."""
    if drg is None:
        return
    if "error" in drg:
        click.echo(f"MS-DRG: none (error[{drg['error']['code']}]: {drg['error']['message']})")
        return
    weight = f"{drg['weight']:.4f}" if drg.get("weight") is not None else "-"
    gmlos = f"{drg['gmlos']:.1f}" if drg.get("gmlos") is not None else "-"
    click.echo(
        f"MS-DRG {drg['drg']} ({drg['version']}, MDC {drg['mdc']}): {drg['title']}; "
        f"weight {weight}, GMLOS {gmlos}" + (f"; billed {billed}" if billed else "")
    )
    click.echo(
        f"  principal {drg['principal']}; MCC {', '.join(drg['mcc']) or '-'}; "
        f"CC {', '.join(drg['cc']) or '-'}"
    )
    for excluded in drg.get("excluded", []):
        click.echo(f"  not counted: {excluded.get('code')} ({excluded.get('reason')})")
    for what_if in drg.get("what_if", []):
        click.echo(f"  {what_if['message']}")
    for note in drg.get("notes", []):
        click.echo(f"  note: {note}")


SYSTEMS = ["icd10cm", "icd10pcs", "cpt", "hcpcs"]
system_option = click.option(
    "--system",
    type=click.Choice(SYSTEMS),
    help="The code's system, where its shape does not say it (J1885 HCPCS vs J18.85).",
)
units_option = click.option(
    "--units", type=click.IntRange(1), help="Service units of a CPT/HCPCS line (default 1)."
)
modifiers_option = click.option(
    "--modifiers", help='Modifiers of a CPT/HCPCS line in claim order: "59,RT" ("" for none).'
)


def _modifiers(text: str | None) -> list[str] | None:
    return None if text is None else [m for m in text.replace(",", " ").split() if m]


@review.command("accept")
@click.argument("codes", nargs=-1, required=True)
@system_option
@click.pass_context
@friendly_errors
def review_accept(ctx: click.Context, codes: tuple[str, ...], system: str | None) -> None:
    """Accept suggested codes."""
    database, user, encounter = _target(ctx)
    for code in codes:
        database.accept(user, encounter, code, system=system)
        click.echo(f"{encounter}: accepted {code}")


@review.command("reject")
@click.argument("code")
@click.option("--reason", required=True, help="Why the code is not reported.")
@system_option
@click.pass_context
@friendly_errors
def review_reject(ctx: click.Context, code: str, reason: str, system: str | None) -> None:
    """Reject a code (a reason is required)."""
    database, user, encounter = _target(ctx)
    database.reject(user, encounter, code, reason, system=system)
    click.echo(f"{encounter}: rejected {code}")


@review.command("change")
@click.argument("code")
@click.argument("new_code")
@click.option("--reason")
@system_option
@click.option(
    "--new-system", type=click.Choice(SYSTEMS), help="NEW_CODE's system (default: CODE's)."
)
@units_option
@modifiers_option
@click.option("--poa", help="POA indicator of an inpatient diagnosis: Y, N, U, W or 1.")
@click.pass_context
@friendly_errors
def review_change(
    ctx: click.Context,
    code: str,
    new_code: str,
    reason: str | None,
    system: str | None,
    new_system: str | None,
    units: int | None,
    modifiers: str | None,
    poa: str | None,
) -> None:
    """Replace CODE by NEW_CODE (validated in its system's release in force)."""
    database, user, encounter = _target(ctx)
    database.change(
        user, encounter, code, new_code, reason, system=system, new_system=new_system,
        units=units, modifiers=_modifiers(modifiers), poa=poa,
    )  # fmt: skip
    click.echo(f"{encounter}: changed {code} to {new_code}")


@review.command("add")
@click.argument("code")
@click.option("--reason")
@system_option
@units_option
@modifiers_option
@click.option("--poa", help="POA indicator of an inpatient diagnosis: Y, N, U, W or 1.")
@click.pass_context
@friendly_errors
def review_add(
    ctx: click.Context,
    code: str,
    reason: str | None,
    system: str | None,
    units: int | None,
    modifiers: str | None,
    poa: str | None,
) -> None:
    """Add a code the engine did not suggest (validated in its system's release in force)."""
    database, user, encounter = _target(ctx)
    database.add(
        user, encounter, code, reason, system=system, units=units,
        modifiers=_modifiers(modifiers), poa=poa,
    )  # fmt: skip
    click.echo(f"{encounter}: added {code}")


@review.command("sequence")
@click.argument("codes", nargs=-1, required=True)
@system_option
@click.pass_context
@friendly_errors
def review_sequence(ctx: click.Context, codes: tuple[str, ...], system: str | None) -> None:
    """Order the active diagnoses (first-listed or principal first), or the active
    procedures; SYSTEM:CODE names one code's system (hcpcs:J1885)."""
    database, user, encounter = _target(ctx)
    database.resequence(user, encounter, codes, system=system)
    click.echo(f"{encounter}: sequenced {' '.join(codes)}")


@review.command("set")
@click.argument("code")
@units_option
@modifiers_option
@system_option
@click.pass_context
@friendly_errors
def review_set(
    ctx: click.Context, code: str, units: int | None, modifiers: str | None, system: str | None
) -> None:
    """Set the units and/or modifiers of a CPT or HCPCS line."""
    database, user, encounter = _target(ctx)
    database.set_line(
        user, encounter, code, units=units, modifiers=_modifiers(modifiers), system=system
    )
    click.echo(f"{encounter}: set {code}")


@review.command("poa")
@click.argument("code")
@click.argument("indicator", type=click.Choice(["Y", "N", "U", "W", "1"], case_sensitive=False))
@click.pass_context
@friendly_errors
def review_poa(ctx: click.Context, code: str, indicator: str) -> None:
    """Set the present-on-admission indicator of an inpatient diagnosis (1: exempt)."""
    database, user, encounter = _target(ctx)
    database.set_poa(user, encounter, code, indicator)
    click.echo(f"{encounter}: POA {indicator.upper()} on {code}")


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


# -- who works the encounter ------------------------------------------------------------
def _echo_lock(view: LockView) -> None:
    held = "held by nobody"
    if view.locked_by and view.locked_until:
        held = f"held by {view.locked_by} until {view.locked_until:%Y-%m-%d %H:%M} UTC"
    click.echo(f"{view.encounter}: {held}; assigned to {view.assigned_to or 'nobody'}")


@review.command("take")
@click.pass_context
@friendly_errors
def review_take(ctx: click.Context) -> None:
    """Hold the encounter for work (renewed by every review action; lapses after
    MEDCODER_LOCK_MINUTES without one). Refused while another user holds it."""
    database, user, encounter = _target(ctx)
    _echo_lock(database.take(user, encounter))


@review.command("release")
@click.option("--force", is_flag=True, help="A manager ends another user's hold.")
@click.option("--reason", help="Why another user's hold is ended (with --force; audited).")
@click.pass_context
@friendly_errors
def review_release(ctx: click.Context, force: bool, reason: str | None) -> None:
    """Give up my hold on the encounter (--force --reason: a manager ends anyone's)."""
    database, user, encounter = _target(ctx)
    if force:
        _echo_lock(database.force_release(user, encounter, reason or ""))
    else:
        _echo_lock(database.release(user, encounter))


@review.command("assign")
@click.argument("to", required=False)
@click.option("--none", "unassign", is_flag=True, help="Unassign the encounter.")
@click.pass_context
@friendly_errors
def review_assign(ctx: click.Context, to: str | None, unassign: bool) -> None:
    """Assign the encounter to user TO, a coder or reviewer (a manager's act; --none
    unassigns it)."""
    if (to is None) == (not unassign):
        raise click.UsageError("give TO or --none")
    database, user, encounter = _target(ctx)
    _echo_lock(database.assign(user, encounter, None if unassign else to))
