"""``medcoder users add|list|role|password|api-key`` and ``medcoder keys rotate``."""

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
@user_option
@click.pass_context
@friendly_errors
def users_add(ctx: click.Context, name: str, role: str, user: str | None) -> None:
    """Add a user (the first one must be an admin)."""
    records(ctx).add_user(user, name, role)
    click.echo(f"added {name} ({role})")


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


@users_group.command("api-key")
@click.argument("name")
@click.option("--label", default="api key", show_default=True, help="What the key is for.")
@user_option
@click.pass_context
@friendly_errors
def users_api_key(ctx: click.Context, name: str, label: str, user: str | None) -> None:
    """Create an API key acting as NAME (admins); it is printed once and never stored."""
    click.echo(records(ctx).create_api_key(user, name, label))


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
