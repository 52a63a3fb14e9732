"""Flask commands: demo data, translations, outbox delivery."""
import subprocess
import sys

import click
from flask import Flask
from sqlalchemy import func, select

from app.config import ROOT
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
            f"(password '{DEMO_PASSWORD}'), {len(loaded['processes'])} processes."
        )

    @app.cli.command("send-outbox")
    def send_outbox():
        """Deliver queued emails (run from cron)."""
        from app.mail import deliver_pending

        click.echo(f"Sent {deliver_pending()} email(s).")

    @app.cli.group()
    def translate():
        """Extract, update and compile the kk / ru / en catalogs."""

    def pybabel(*args: str) -> None:
        command = [sys.executable, "-m", "babel.messages.frontend", *args]
        if subprocess.call(command, cwd=ROOT):
            raise click.ClickException("pybabel failed: " + " ".join(args))

    def extract() -> None:
        pybabel("extract", "-F", "babel.cfg", "-k", "_l", "--no-location", "--sort-output",
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
