"""Extension objects, created unbound and initialised by the app factory."""

from __future__ import annotations

from flask_babel import Babel
from flask_limiter import Limiter
from flask_login import LoginManager
from flask_migrate import Migrate
from flask_sqlalchemy import SQLAlchemy
from flask_wtf.csrf import CSRFProtect

from organizer import db_liveness  # noqa: F401 (registers the pool's checkout check)
from organizer.client_ip import remote_key
from organizer.db import Base

db = SQLAlchemy(model_class=Base)
migrate = Migrate()
login_manager = LoginManager()
csrf = CSRFProtect()
babel = Babel()
# No default limits: each form that needs one names its own, from configuration.
# Keyed by the client's IP HMAC, never the raw address (organizer/client_ip.py).
limiter = Limiter(key_func=remote_key)
