"""Flask commands: demo data, translations, outbox delivery."""
import subprocess
import sys

import click
from flask import Flask
from sqlalchemy import func, select

from app.config import ROOT
from app.core.errors import ServiceError
from app.extensions import db

TRANSLATIONS = ROOT / "app" / "translations"
POT = TRANSLATIONS / "messages.pot"


def register_cli(app: Flask) -> None:
    @app.cli.command("demo-data")
    @click.option("--if-empty", is_flag=True, help="Only load when the database has no users yet.")
    def demo_data(if_empty: bool):
        """Load the Astana demo (idempotent). Demo logins are listed in the README."""
        from app.demo import DEMO_PASSWORD, load_demo_data
        from app.models import User

        if if_empty and db.session.scalar(select(func.count(User.id))):
            click.echo("Database already has data; demo data not loaded.")
            return
        loaded = load_demo_data()
        click.echo(
            f"Demo data ready: {len(loaded['areas'])} areas, {len(loaded['users'])} demo users "
            f"(password '{DEMO_PASSWORD}'), {len(loaded['processes'])} processes, "
            f"{loaded['proposals']} new proposals, {loaded['ballots']} new ballots, {loaded['meetings']} new meetings."
        )

    @app.cli.command("compute-results")
    @click.argument("budget_id", type=int)
    @click.option("--key-file", type=click.File("rb"), help="The counting commission's count key file (needed "
                  "by the first count, which opens the sealed envelopes).")
    @click.option("--publish", is_flag=True, help="Publish the count right away.")
    def compute_results(budget_id: int, key_file, publish: bool):
        """Count a budget's ballots with its configured rule (and optionally publish)."""
        from app.models import Budget
        from app.results import services

        budget = db.session.get(Budget, budget_id)
        if budget is None:
            raise click.ClickException(f"no budget {budget_id}")
        try:
            result = services.count(budget, key_file=key_file.read(1 << 20) if key_file else None)
            if publish:
                services.publish(result, None)
        except ServiceError as error:
            raise click.ClickException(str(error.message)) from None
        click.echo(f"Budget {budget_id}: {result.n_ballots} ballots counted with {result.rule}; "
                   f"funded {', '.join(result.selected) or 'nothing'}; ballots.pb sha256 {result.ballots_sha256}"
                   + ("; published." if publish else "; not published yet."))

    @app.cli.command("verify-results")
    @click.argument("budget_id", type=int)
    def verify_results(budget_id: int):
        """Recount the published result of a budget from the stored ballots and compare."""
        from app.models import Budget
        from app.results import services

        budget = db.session.get(Budget, budget_id)
        result = services.published_result(budget) if budget else None
        if result is None:
            raise click.ClickException(f"budget {budget_id} has no published result")
        problems = services.verify(result)
        if problems:
            for problem in problems:
                click.echo(f"MISMATCH: {problem}", err=True)
            raise SystemExit(1)
        click.echo(f"Budget {budget_id}: verified — the recount selects {', '.join(sorted(result.selected))} "
                   f"and the ballots file hash matches ({result.ballots_sha256}).")

    @app.cli.command("send-reminders")
    def send_reminders():
        """Remind registrants of town halls starting within 24 hours (idempotent; run from cron)."""
        import meetings

        click.echo(f"Reminded {meetings.send_reminders()} registrant(s).")

    @app.cli.group()
    def audit():
        """The hash-chained audit log."""

    @audit.command("verify")
    def audit_verify():
        """Recompute the audit log's hash chain and report any altered or removed entry."""
        from app.core.audit import verify
        from app.models import AuditEntry

        problems = verify()
        if problems:
            for problem in problems:
                click.echo(f"TAMPERED: {problem}", err=True)
            raise SystemExit(1)
        click.echo(f"Audit log intact: {db.session.scalar(select(func.count(AuditEntry.id)))} entries verified.")

    @app.cli.command("backup")
    @click.argument("path", type=click.Path(dir_okay=False))
    def backup_command(path: str):
        """Back up the database to PATH (pg_dump for PostgreSQL, the online backup API for SQLite)."""
        from app.core.backup import BackupError, backup

        try:
            click.echo(f"Backup written to {backup(path)}.")
        except BackupError as error:
            raise click.ClickException(str(error)) from None

    @app.cli.command("restore")
    @click.argument("path", type=click.Path(exists=True, dir_okay=False))
    @click.option("--yes", is_flag=True, help="Do not ask: the database content is replaced.")
    def restore_command(path: str, yes: bool):
        """Replace the database content with the backup at PATH."""
        from app.core.backup import BackupError, restore

        if not yes:
            click.confirm("This replaces everything in the database. Continue?", abort=True)
        try:
            restore(path)
        except BackupError as error:
            raise click.ClickException(str(error)) from None
        click.echo("Restored.")

    @app.cli.command("send-outbox")
    def send_outbox():
        """Deliver queued emails (run from cron)."""
        from app.notifications.mail import deliver_pending

        click.echo(f"Sent {deliver_pending()} email(s).")

    @app.cli.group()
    def translate():
        """Extract, update and compile the kk / ru / en catalogs."""

    def pybabel(*args: str) -> None:
        command = [sys.executable, "-m", "babel.messages.frontend", *args]
        if subprocess.call(command, cwd=ROOT):
            raise click.ClickException("pybabel failed: " + " ".join(args))

    def extract() -> None:
        pybabel("extract", "-F", "babel.cfg", "-k", "_l", "-k", "_ln:1,2", "--no-location", "--sort-output",
                "-o", str(POT), ".")

    @translate.command()
    def update():
        """Extract strings and merge them into every catalog."""
        extract()
        pybabel("update", "-i", str(POT), "-d", str(TRANSLATIONS), "--no-wrap")

    @translate.command()
    def compile():
        """Compile the catalogs into .mo files."""
        pybabel("compile", "-d", str(TRANSLATIONS))

    @translate.command()
    @click.argument("lang")
    def init(lang: str):
        """Start a catalog for a new language."""
        extract()
        pybabel("init", "-i", str(POT), "-d", str(TRANSLATIONS), "-l", lang)
