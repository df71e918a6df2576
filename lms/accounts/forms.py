from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    EmailField,
    PasswordField,
    RadioField,
    SelectMultipleField,
    StringField,
    widgets,
)
from wtforms.validators import DataRequired, EqualTo, Length, Optional

from ..i18n import _l
from .models import ROLES


def required() -> DataRequired:
    return DataRequired(message=_l("Please fill in this field."))


def role_labels() -> dict[str, object]:
    return {
        "learner": _l("Learner"),
        "trainer": _l("Trainer"),
        "author": _l("Content author"),
        "admin": _l("Administrator"),
    }


class SignInForm(FlaskForm):
    email = EmailField(_l("E-mail"), validators=[required(), Length(max=254)])
    password = PasswordField(_l("Password"), validators=[required()])


class SettingsForm(FlaskForm):
    name = StringField(_l("Your name"), validators=[required(), Length(max=200)])
    enterprise_name = StringField(
        _l("Your enterprise (as on certificates)"), validators=[Length(max=200)]
    )
    locale = RadioField(_l("Language"), validators=[required()])
    latin_digits = BooleanField(_l("Show numbers as 0123456789 instead of ০১২৩৪৫৬৭৮৯"))
    country = RadioField(_l("Learn the rules and figures of"), validators=[Optional()])


class PasswordForm(FlaskForm):
    current_password = PasswordField(_l("Current password"), validators=[required()])
    new_password = PasswordField(_l("New password"), validators=[required()])
    confirm = PasswordField(
        _l("New password again"),
        validators=[required(), EqualTo("new_password", message=_l("The passwords differ."))],
    )


class MultiCheckboxField(SelectMultipleField):
    widget = widgets.ListWidget(prefix_label=False)
    option_widget = widgets.CheckboxInput()


class UserForm(FlaskForm):
    name = StringField(_l("Name"), validators=[required(), Length(max=200)])
    enterprise_name = StringField(_l("Enterprise"), validators=[Length(max=200)])
    email = EmailField(_l("E-mail"), validators=[required(), Length(max=254)])
    roles = MultiCheckboxField(_l("Roles"))
    password = PasswordField(_l("Password"))
    active = BooleanField(_l("Account active"), default=True)

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)
        labels = role_labels()
        self.roles.choices = [(role, labels[role]) for role in ROLES]
