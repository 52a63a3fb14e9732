"""Forms shared across blueprints."""
from flask_wtf import FlaskForm


class CSRFOnlyForm(FlaskForm):
    """No fields: a POST button (log out, language, revoke, ...) that carries the CSRF token."""
