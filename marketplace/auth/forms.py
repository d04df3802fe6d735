from wtforms import EmailField, PasswordField
from wtforms.validators import DataRequired, Length

from marketplace.forms import BaseForm
from marketplace.security import MIN_PASSWORD_LENGTH


class SignInForm(BaseForm):
    email = EmailField(
        "Email address",
        validators=[DataRequired("Enter your email address")],
    )
    password = PasswordField("Password", validators=[DataRequired("Enter your password")])


class ChangePasswordForm(BaseForm):
    current_password = PasswordField(
        "Current password", validators=[DataRequired("Enter your current password")]
    )
    new_password = PasswordField(
        "New password",
        description=f"Use {MIN_PASSWORD_LENGTH} characters or more.",
        validators=[
            DataRequired("Enter a new password"),
            Length(
                min=MIN_PASSWORD_LENGTH,
                message=f"Password must be {MIN_PASSWORD_LENGTH} characters or more",
            ),
        ],
    )
