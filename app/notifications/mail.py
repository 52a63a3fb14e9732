"""Email through the outbox: queued in the caller's transaction, delivered after commit."""
import smtplib
from email.message import EmailMessage

from flask import current_app, url_for
from flask_babel import force_locale
from sqlalchemy import select

from app.core.clock import utcnow
from app.extensions import db
from app.notifications.models import OutboxEmail


def queue_email(recipient: str, subject, body, *, locale: str = "kk") -> OutboxEmail:
    """Add an email to the outbox, rendering lazy strings in the recipient's language."""
    with force_locale(locale):
        message = OutboxEmail(recipient=recipient, subject=str(subject), body=str(body))
    db.session.add(message)
    return message


def page_url(endpoint: str, **values) -> str:
    """A page's address for an email. In a request (or with SERVER_NAME set) it is absolute; a
    command run from cron without SERVER_NAME gets the path, rather than failing to send at all."""
    try:
        return url_for(endpoint, _external=True, **values)
    except RuntimeError:  # no request and no SERVER_NAME: Flask cannot tell the site's address
        return current_app.url_map.bind("localhost").build(endpoint, values)


def deliver_pending(limit: int = 100) -> int:
    """Send unsent emails: by SMTP when ``SMTP_HOST`` is set, otherwise to the log (development).
    Returns how many were sent; failures stay in the outbox with their error."""
    config = current_app.config
    pending = list(
        db.session.scalars(
            select(OutboxEmail).where(OutboxEmail.sent_at.is_(None)).order_by(OutboxEmail.id).limit(limit)
        )
    )
    sent = 0
    for message in pending:
        message.attempts += 1
        try:
            if config.get("SMTP_HOST"):
                _send_smtp(config, message)
            else:
                current_app.logger.info(
                    "email to %s: %s\n%s", message.recipient, message.subject, message.body
                )
            message.sent_at = utcnow()
            message.last_error = None
            sent += 1
        except (OSError, smtplib.SMTPException) as error:
            message.last_error = str(error)
    db.session.commit()
    return sent


def _send_smtp(config, message: OutboxEmail) -> None:
    email = EmailMessage()
    email["From"] = config["MAIL_SENDER"]
    email["To"] = message.recipient
    email["Subject"] = message.subject
    email.set_content(message.body)
    with smtplib.SMTP(config["SMTP_HOST"], config["SMTP_PORT"], timeout=10) as smtp:
        if config.get("SMTP_STARTTLS"):
            smtp.starttls()
        if config.get("SMTP_USER"):
            smtp.login(config["SMTP_USER"], config["SMTP_PASSWORD"])
        smtp.send_message(email)
