"""Registration, login, password and profile forms."""
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    EmailField,
    PasswordField,
    SelectField,
    StringField,
    SubmitField,
)
from wtforms.validators import (
    DataRequired,
    EqualTo,
    Optional,
    Regexp,
    ValidationError,
)

from app.auth.passwords import MAX_LENGTH, password_problem, personal_details
from app.core.forms import REQUIRED, VALID_EMAIL, TextLength
from app.identity.iin import IINError, InvalidIIN, parse_iin

IIN_MESSAGES = {
    IINError.NOT_12_DIGITS: _l("An IIN has exactly 12 digits."),
    IINError.BAD_CENTURY_DIGIT: _l(
        "The 7th digit of an IIN shows the century of birth and sex and must be 1 to 6."
    ),
    IINError.BAD_BIRTH_DATE: _l("The first six digits of an IIN must be a real birth date (YYMMDD)."),
    IINError.BIRTH_DATE_IN_FUTURE: _l("The birth date in this IIN lies in the future."),
    IINError.CHECKSUM_UNDEFINED: _l("This number cannot be an IIN: no check digit fits it."),
    IINError.CHECKSUM_MISMATCH: _l(
        "The last digit of this IIN does not match the others. Please check it for a typo."
    ),
}

# Each language named in itself, marked as such (screen readers say it in its own language).
LOCALE_CHOICES = [("kk", "Қазақша", {"lang": "kk"}), ("ru", "Русский", {"lang": "ru"}), ("en", "English", {"lang": "en"})]


def strong_password(form, field):
    """Refuses short, common and guessable passwords (app/auth/passwords.py). The person's own
    details come from the form (registration) or from ``form.personal`` (set by the view)."""
    own = [getattr(form, name).data for name in ("full_name", "email", "iin") if hasattr(form, name)]
    problem = password_problem(field.data or "", personal_details(*own, *getattr(form, "personal", ())))
    if problem:
        raise ValidationError(problem)


# password_problem says when a password is too long; the flag states the limit on the form.
strong_password.field_flags = {"maxlength": MAX_LENGTH}


PASSWORD_RULES = [REQUIRED, strong_password]
PHONE_LENGTH = TextLength(max=32)
PHONE = Regexp(
    r"^\+?[0-9 ()-]{10,20}$", message=_l("Enter a phone number like +7 701 234 56 78.")
)


def validate_iin_field(form, field):
    try:
        field.parsed = parse_iin(field.data)
    except InvalidIIN as error:
        raise ValidationError(IIN_MESSAGES[error.reason]) from None


class RegistrationForm(FlaskForm):
    full_name = StringField(_l("Full name"), validators=[REQUIRED, TextLength(max=200)])
    email = EmailField(_l("Email"), validators=[REQUIRED, VALID_EMAIL, TextLength(max=254)])
    iin = StringField(
        _l("IIN"),
        validators=[REQUIRED, TextLength(max=20), validate_iin_field],  # spaces allowed: "900101 300 123"
        description=_l("12 digits, as on your identity card."),
    )
    phone = StringField(_l("Phone (optional)"), validators=[Optional(), PHONE_LENGTH, PHONE])
    home_area = SelectField(
        _l("Where you live"),
        coerce=int,
        validators=[REQUIRED],
        description=_l("Your district or okrug: you propose and vote there."),
    )
    locale = SelectField(_l("Language"), choices=LOCALE_CHOICES)
    password = PasswordField(_l("Password"), validators=PASSWORD_RULES)
    confirm = PasswordField(
        _l("Repeat the password"),
        validators=[REQUIRED, TextLength(max=MAX_LENGTH),
                    EqualTo("password", message=_l("The passwords do not match."))],
    )
    declare_residence = BooleanField(
        _l("I confirm that I live in the area I chose."),
        validators=[DataRequired(message=_l("Please confirm where you live."))],
    )
    submit = SubmitField(_l("Register"))


class LoginForm(FlaskForm):
    email = EmailField(_l("Email"), validators=[REQUIRED, TextLength(max=254)])
    password = PasswordField(_l("Password"), validators=[REQUIRED, TextLength(max=MAX_LENGTH)])
    remember = BooleanField(_l("Remember me"))
    submit = SubmitField(_l("Log in"))


class ResetRequestForm(FlaskForm):
    email = EmailField(_l("Email"), validators=[REQUIRED, VALID_EMAIL, TextLength(max=254)])
    submit = SubmitField(_l("Send me a reset link"))


class ResetPasswordForm(FlaskForm):
    password = PasswordField(_l("New password"), validators=PASSWORD_RULES)
    confirm = PasswordField(
        _l("Repeat the password"),
        validators=[REQUIRED, TextLength(max=MAX_LENGTH),
                    EqualTo("password", message=_l("The passwords do not match."))],
    )
    submit = SubmitField(_l("Set the new password"))


class ProfileForm(FlaskForm):
    full_name = StringField(_l("Full name"), validators=[REQUIRED, TextLength(max=200)])
    phone = StringField(_l("Phone (optional)"), validators=[Optional(), PHONE_LENGTH, PHONE])
    home_area = SelectField(_l("Where you live"), coerce=int, validators=[REQUIRED])
    locale = SelectField(_l("Language"), choices=LOCALE_CHOICES)
    submit = SubmitField(_l("Save"))


class ChangePasswordForm(FlaskForm):
    current_password = PasswordField(_l("Current password"), validators=[REQUIRED, TextLength(max=MAX_LENGTH)])
    password = PasswordField(_l("New password"), validators=PASSWORD_RULES)
    confirm = PasswordField(
        _l("Repeat the password"),
        validators=[REQUIRED, TextLength(max=MAX_LENGTH),
                    EqualTo("password", message=_l("The passwords do not match."))],
    )
    submit = SubmitField(_l("Change the password"))
