"""``medcoder users add|list|role|password|deactivate|reactivate|api-key|api-keys|revoke-key``
and ``medcoder keys rotate``."""

from __future__ import annotations

import click

from medcoder.cli.common import friendly_errors, records, user_option

__all__ = ["keys_group", "users_group"]


@click.group("users")
def users_group() -> None:
    """Add users, list them, change their role."""


@users_group.command("add")
@click.argument("name")
@click.option("--role", required=True, help="coder, reviewer (auditor), manager, admin, analyst.")
@click.option(
    "--service-account",
    is_flag=True,
    help="A system (an EHR feed) calling with API keys: no password, no login.",
)
@user_option
@click.pass_context
@friendly_errors
def users_add(
    ctx: click.Context, name: str, role: str, service_account: bool, user: str | None
) -> None:
    """Add a user (the first one must be an admin)."""
    records(ctx).add_user(user, name, role, service_account=service_account)
    click.echo(f"added {name} ({role}{', service account' if service_account else ''})")


@users_group.command("list")
@user_option
@click.pass_context
@friendly_errors
def users_list(ctx: click.Context, user: str | None) -> None:
    """Every user with role and status."""
    for name, role, active in records(ctx).list_users(user):
        click.echo(f"{name}  {role}" + ("" if active else "  (inactive)"))


@users_group.command("role")
@click.argument("name")
@click.argument("role")
@user_option
@click.pass_context
@friendly_errors
def users_role(ctx: click.Context, name: str, role: str, user: str | None) -> None:
    """Change a user's role."""
    records(ctx).set_role(user, name, role)
    click.echo(f"{name} is now {role}")


@users_group.command("password")
@click.argument("name")
@click.option(
    "--password",
    prompt=True,
    hide_input=True,
    confirmation_prompt=True,
    envvar="MEDCODER_NEW_PASSWORD",
    help="The new password (prompted; or $MEDCODER_NEW_PASSWORD).",
)
@user_option
@click.pass_context
@friendly_errors
def users_password(ctx: click.Context, name: str, password: str, user: str | None) -> None:
    """Set NAME's password for the API and the workbench (admins; 12+ characters)."""
    records(ctx).set_password(user, name, password)
    click.echo(f"password set for {name}")


@users_group.command("deactivate")
@click.argument("name")
@user_option
@click.pass_context
@friendly_errors
def users_deactivate(ctx: click.Context, name: str, user: str | None) -> None:
    """Refuse NAME from now on: its tokens stop working and its API keys are revoked."""
    records(ctx).deactivate_user(user, name)
    click.echo(f"{name} is deactivated")


@users_group.command("reactivate")
@click.argument("name")
@user_option
@click.pass_context
@friendly_errors
def users_reactivate(ctx: click.Context, name: str, user: str | None) -> None:
    """Let NAME log in again (old tokens and keys stay refused)."""
    records(ctx).reactivate_user(user, name)
    click.echo(f"{name} is active")


@users_group.command("api-key")
@click.argument("name", required=False)
@click.option("--label", default="api key", show_default=True, help="What the key is for.")
@user_option
@click.pass_context
@friendly_errors
def users_api_key(ctx: click.Context, name: str | None, label: str, user: str | None) -> None:
    """Create an API key acting as you, or (admins) as service account NAME; it is printed
    once and never stored (its id: `medcoder users api-keys`)."""
    click.echo(records(ctx).create_api_key(user, name, label).key)


@users_group.command("api-keys")
@user_option
@click.pass_context
@friendly_errors
def users_api_keys(ctx: click.Context, user: str | None) -> None:
    """Your API keys (an admin: every key) as: id, user, label, made by, when, revoked."""
    for k in records(ctx).list_api_keys(user):
        revoked = f"  revoked {k.revoked_at:%Y-%m-%d %H:%M}" if k.revoked_at else ""
        click.echo(
            f"{k.id} {k.user} {k.label!r} by {k.created_by} {k.created_at:%Y-%m-%d}{revoked}"
        )


@users_group.command("revoke-key")
@click.argument("key_id", type=click.IntRange(min=1))  # the service refuses ids too large
@user_option
@click.pass_context
@friendly_errors
def users_revoke_key(ctx: click.Context, key_id: int, user: str | None) -> None:
    """Revoke API key KEY_ID (yours, or any as an admin): refused from now on."""
    records(ctx).revoke_api_key(user, key_id)
    click.echo(f"API key {key_id} is revoked")


@click.group("keys")
def keys_group() -> None:
    """The encryption key for PHI at rest."""


@keys_group.command("rotate")
@user_option
@click.pass_context
@friendly_errors
def keys_rotate(ctx: click.Context, user: str | None) -> None:
    """Re-encrypt every PHI value under a new key (MEDCODER_NEW_KEY when MEDCODER_KEY is set)."""
    counts = records(ctx).rotate_keys(user)
    click.echo(f"re-encrypted {sum(counts.values())} value(s)")
