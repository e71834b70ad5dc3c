"""The extension objects, created unbound; create_app binds them with init_app."""

from __future__ import annotations

from flask import request
from flask_babel import Babel
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address
from flask_login import LoginManager
from flask_mailman import Mail
from flask_migrate import Migrate
from flask_sqlalchemy import SQLAlchemy
from flask_wtf import CSRFProtect

from core.api import Api
from core.db import Base
from core.errors import is_api_request

db = SQLAlchemy(model_class=Base)
migrate = Migrate()


class TokenLoginManager(LoginManager):
    """Flask-Login, except that an API request is authenticated by its bearer token alone.

    Stock Flask-Login never asks the request loader when a remember-me cookie is present, so
    a remembered browser would lose its token on the API.
    """

    def _load_user(self):
        if is_api_request():
            return self._update_request_context_with_user(self._load_user_from_request(request))
        return super()._load_user()


login_manager = TokenLoginManager()
csrf = CSRFProtect()
babel = Babel()
limiter = Limiter(key_func=get_remote_address)
api = Api()
mail = Mail()
