"""The annulment form (counting uses app.ballots.forms.CountForm, with the key file)."""
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import SubmitField, TextAreaField
from wtforms.validators import Length

from app.core.forms import REQUIRED


class AnnulForm(FlaskForm):
    reason = TextAreaField(_l("Reason for the annulment (shown to everyone)"),
                           validators=[REQUIRED, Length(min=10, max=1000, message=_l("Between 10 and 1,000 characters, please."))])
    submit = SubmitField(_l("Annul this result"))
