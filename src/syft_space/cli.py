"""The ``syft-space`` command: serve, migrate, and manage owner keys and tenants.

Commands that change state use the same services as the HTTP API, through the same container
pieces, so a key made here is exactly a key the API accepts.
"""

from __future__ import annotations

import asyncio
import json
import os
from collections.abc import Awaitable, Callable
from datetime import datetime
from typing import Annotated, TypeVar

import httpx
import typer
import uvicorn

from syft_space import __version__
from syft_space.auth.service import OwnerKeyService
from syft_space.config import Settings
from syft_space.container import prepare_data_dir
from syft_space.core import migrate
from syft_space.core.db import Database
from syft_space.core.errors import SyftSpaceError
from syft_space.core.log import configure_logging
from syft_space.relay.client import GUEST, RelayClient, RelayError, RouterReply
from syft_space.relay.schemas import RelayStatus
from syft_space.tenants.service import TenantService

app = typer.Typer(
    help="Syft Space: a self-hosted knowledge server.",
    no_args_is_help=True,
    add_completion=False,
)
admin_key_app = typer.Typer(help="Create, list and revoke owner API keys.", no_args_is_help=True)
tenant_app = typer.Typer(help="Create and list tenants.", no_args_is_help=True)
relay_app = typer.Typer(
    help="Query SyftBox routers; see the bridge's status.", no_args_is_help=True
)
app.add_typer(admin_key_app, name="admin-key")
app.add_typer(tenant_app, name="tenant")
app.add_typer(relay_app, name="relay")

T = TypeVar("T")


def _version(value: bool) -> None:
    if value:
        typer.echo(__version__)
        raise typer.Exit


@app.callback()
def main_options(
    version: Annotated[
        bool,
        typer.Option("--version", callback=_version, is_eager=True, help="Print the version."),
    ] = False,
) -> None:
    """Syft Space: a self-hosted knowledge server."""


def _settings(**overrides: object) -> Settings:
    given = {k: v for k, v in overrides.items() if v is not None}
    return Settings(**given)  # type: ignore[arg-type]


def _run_with_database(settings: Settings, work: Callable[[Database], Awaitable[T]]) -> T:
    """Migrate, open the database, run ``work``, and turn domain errors into clean exits."""
    configure_logging("warning", settings.log_format)
    prepare_data_dir(settings.data_dir)
    migrate.upgrade(settings.effective_database_url)

    async def runner() -> T:
        database = Database(settings.effective_database_url)
        try:
            async with database.unit_of_work() as session:
                await TenantService(session).ensure(settings.default_tenant)
            return await work(database)
        finally:
            await database.dispose()

    try:
        return asyncio.run(runner())
    except SyftSpaceError as exc:
        typer.echo(f"Error: {exc.detail}", err=True)
        raise typer.Exit(code=1) from None


@app.command()
def serve(
    host: Annotated[str | None, typer.Option(help="Interface to bind (default 127.0.0.1).")] = None,
    port: Annotated[int | None, typer.Option(help="Port to listen on (default 8080).")] = None,
) -> None:
    """Start the Space: migrate the database, then serve the API and docs."""
    from syft_space.app import create_app

    settings = _settings(host=host, port=port)
    configure_logging(settings.log_level, settings.log_format)
    uvicorn.run(
        create_app(settings),
        host=settings.host,
        port=settings.port,
        log_config=None,
        access_log=False,
        proxy_headers=False,
    )


@app.command("migrate")
def migrate_command() -> None:
    """Apply database migrations and print the schema revision."""
    settings = _settings()
    configure_logging("warning", settings.log_format)
    prepare_data_dir(settings.data_dir)
    typer.echo(migrate.upgrade(settings.effective_database_url))


@admin_key_app.command("create")
def admin_key_create(
    name: Annotated[str, typer.Option("--name", help="A unique name for the key.")],
    tenant: Annotated[
        str | None,
        typer.Option(help="Bind the key to one tenant; without it the key is a global admin."),
    ] = None,
) -> None:
    """Create an owner key and print it alone on stdout (it is never shown again)."""

    async def work(database: Database) -> str:
        async with database.unit_of_work() as session:
            bound = await TenantService(session).get(tenant) if tenant else None
            _, plaintext = await OwnerKeyService(session).create(name, bound)
            return plaintext

    typer.echo(_run_with_database(_settings(), work))


@admin_key_app.command("list")
def admin_key_list() -> None:
    """List owner keys (names and dates; never the keys themselves)."""

    async def work(database: Database) -> None:
        async with database.unit_of_work(write=False) as session:
            keys = await OwnerKeyService(session).all()
        typer.echo(f"{'NAME':<24} {'TENANT':<16} {'CREATED':<21} {'LAST USED':<21} STATUS")
        for key in keys:
            status = "revoked" if key.revoked_at else "active"
            typer.echo(
                f"{key.name:<24} {key.tenant or '(global)':<16} "
                f"{_when(key.created_at):<21} {_when(key.last_used_at):<21} {status}"
            )

    _run_with_database(_settings(), work)


@admin_key_app.command("revoke")
def admin_key_revoke(name: Annotated[str, typer.Argument(help="The key's name.")]) -> None:
    """Revoke an owner key; requests using it are refused from now on."""

    async def work(database: Database) -> None:
        async with database.unit_of_work() as session:
            await OwnerKeyService(session).revoke(name)

    _run_with_database(_settings(), work)
    typer.echo(f"Revoked owner key '{name}'.", err=True)


@tenant_app.command("create")
def tenant_create(name: Annotated[str, typer.Argument(help="The tenant's name.")]) -> None:
    """Create a tenant (used when SYFT_MULTI_TENANCY is on)."""

    async def work(database: Database) -> None:
        async with database.unit_of_work() as session:
            await TenantService(session).create(name)

    _run_with_database(_settings(), work)
    typer.echo(f"Created tenant '{name}'.", err=True)


@tenant_app.command("list")
def tenant_list() -> None:
    """List tenants."""

    async def work(database: Database) -> None:
        async with database.unit_of_work(write=False) as session:
            tenants, _ = await TenantService(session).list_page(0, 10_000)
        for item in tenants:
            typer.echo(item.name)

    _run_with_database(_settings(), work)


@relay_app.command("send")
def relay_send(
    url: Annotated[str, typer.Argument(help="syft://<owner>/app_data/<router>/rpc/<service>")],
    body: Annotated[str, typer.Option(help="The request, as JSON.")] = "{}",
    sender: Annotated[str, typer.Option("--from", help="Your SyftBox email.")] = GUEST,
    relay_url: Annotated[
        str | None, typer.Option(help="The relay (default SYFT_RELAY_URL, https://syftbox.net).")
    ] = None,
    timeout: Annotated[float, typer.Option(help="Seconds to wait for the answer.")] = 60.0,
    poll_interval: Annotated[float, typer.Option(help="Seconds between polls.")] = 1.0,
    retries: Annotated[int, typer.Option(help="Retries of a dropped connection or 5xx.")] = 3,
) -> None:
    """Send a request to a router through the relay and print its JSON answer."""
    try:
        payload = json.loads(body)
    except ValueError as exc:
        typer.echo(f"Error: --body is not valid JSON ({exc}).", err=True)
        raise typer.Exit(code=1) from None

    async def send() -> RouterReply:
        async with RelayClient(
            relay_url or Settings().relay_url,
            sender=sender,
            timeout=timeout,
            poll_interval=poll_interval,
            retries=retries,
        ) as client:
            return await client.send(url, payload)

    try:
        reply = asyncio.run(send())
    except RelayError as exc:
        typer.echo(f"Error: {exc.message}", err=True)
        raise typer.Exit(code=1) from None
    typer.echo(json.dumps(reply.body, indent=2))


@relay_app.command("status")
def relay_status(
    url: Annotated[
        str | None, typer.Option(help="The running Space (default http://<host>:<port>).")
    ] = None,
) -> None:
    """Ask the running Space how its SyftBox bridge is doing (the owner key is read from the
    data dir, or SYFT_OWNER_KEY)."""
    settings = _settings()
    base = url or f"http://{settings.host}:{settings.port}"
    key_file = settings.data_dir / "owner.key"
    key = os.environ.get("SYFT_OWNER_KEY") or (
        key_file.read_text().strip() if key_file.exists() else ""
    )
    try:
        response = httpx.get(
            f"{base}/api/v1/relay/status", headers={"Authorization": f"Bearer {key}"}, timeout=10
        )
    except httpx.HTTPError as exc:
        typer.echo(f"Error: cannot reach the Space at {base} ({exc}); is it running?", err=True)
        raise typer.Exit(code=1) from None
    if response.status_code != 200:
        typer.echo(f"Error: {response.json().get('detail', response.text)}", err=True)
        raise typer.Exit(code=1)
    status = RelayStatus.model_validate(response.json())
    typer.echo(f"enabled:   {'yes' if status.enabled else 'no'}")
    typer.echo(f"running:   {'yes' if status.running else 'no'}")
    typer.echo(f"folder:    {status.folder or '-'}")
    typer.echo(f"owner:     {status.owner or '-'}")
    typer.echo(f"routers:   {', '.join(status.routers) or '-'}")
    typer.echo(f"handled:   {status.requests_handled}")
    typer.echo(f"last error: {status.last_error or '-'}")
    typer.echo(status.detail)


def _when(value: object) -> str:
    return value.strftime("%Y-%m-%d %H:%M:%SZ") if isinstance(value, datetime) else "-"


def main() -> None:
    app()
