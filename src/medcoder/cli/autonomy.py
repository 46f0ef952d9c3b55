"""``medcoder autonomy show|set|off|audit``: the autonomous-coding policy (issue 14.3).

``set`` and ``off`` are the manager's; ``audit`` is the auditor's (reviewer or manager)
verdict on an encounter of the audit sample (``medcoder queue --audit``).
"""

from __future__ import annotations

import json

import click

from medcoder.cli.common import friendly_errors, records, user_option

__all__ = ["autonomy_group"]


@click.group("autonomy")
def autonomy_group() -> None:
    """Autonomous coding: finalize confident encounters without review (manager's policy)."""


def _echo(data: dict[str, object], fmt: str) -> None:
    if fmt == "json":
        click.echo(json.dumps(data, indent=2))
    elif not data["enabled"]:
        click.echo("autonomous coding is off: every encounter goes to the review queue")
    else:
        click.echo(
            f"on: encounters with encounter confidence >= {data['threshold']} are finalized "
            f"without review when the claim edits pass; {float(str(data['sample'])):.1%} of "
            f"them sampled for audit (seed {data['seed']}); set by {data['set_by']} "
            f"at {data['set_at']}"
        )


@autonomy_group.command("show")
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text")
@user_option
@click.pass_context
@friendly_errors
def autonomy_show(ctx: click.Context, fmt: str, user: str | None) -> None:
    """The policy in force (off unless a manager turned it on)."""
    _echo(records(ctx).autonomy_policy(user).to_json(), fmt)


@autonomy_group.command("set")
@click.option("--threshold", type=click.FloatRange(0, 1, min_open=True),
              help="Encounter confidence at or above which an encounter is finalized.")  # fmt: skip
@click.option("--sample", type=click.FloatRange(0, 1),
              help="Share of auto-finalized encounters sent to the audit queue.")  # fmt: skip
@click.option("--seed", type=int, help="Seed of the audit sample (deterministic).")
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text")
@user_option
@click.pass_context
@friendly_errors
def autonomy_set(
    ctx: click.Context, threshold: float | None, sample: float | None, seed: int | None,
    fmt: str, user: str | None,
) -> None:  # fmt: skip
    """Turn the policy on (a manager's action, audited); unset values are kept."""
    view = records(ctx).set_autonomy(
        user, enabled=True, threshold=threshold, sample=sample, seed=seed
    )
    _echo(view.to_json(), fmt)


@autonomy_group.command("off")
@user_option
@click.pass_context
@friendly_errors
def autonomy_off(ctx: click.Context, user: str | None) -> None:
    """Turn the policy off: every encounter goes to the review queue again."""
    _echo(records(ctx).set_autonomy(user, enabled=False).to_json(), "text")


@autonomy_group.command("audit")
@click.argument("encounter")
@click.option("--agree/--disagree", required=True,
              help="Agree with the codes, or re-open the encounter for review.")  # fmt: skip
@click.option("--reason", help="Why not (needed with --disagree).")
@user_option
@click.pass_context
@friendly_errors
def autonomy_audit(
    ctx: click.Context, encounter: str, agree: bool, reason: str | None, user: str | None
) -> None:
    """Close the audit of an auto-finalized ENCOUNTER of the audit sample."""
    records(ctx).audit_auto_finalized(user, encounter, agree=agree, reason=reason)
    click.echo(f"{encounter}: audited, " + ("agreed" if agree else "re-opened for review"))
