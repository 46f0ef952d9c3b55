"""What a running API needs to know: where its home is, token lifetime, body limit."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path

from medcoder import settings
from medcoder.pipeline import CodingEngine

# A note may have up to 5,000,000 characters (the pipeline's own limit); a JSON body
# carrying one, with escapes, fits in 8 MiB. Anything larger is refused unread (E502).
DEFAULT_MAX_BODY = 8 * 1024 * 1024


@dataclass(frozen=True, slots=True)
class ApiSettings:
    """Settings of one API process. ``engine`` lets tests share one coding engine."""

    home: Path | None = None
    token_ttl: dt.timedelta = dt.timedelta(hours=8)
    max_body_bytes: int = DEFAULT_MAX_BODY
    engine: CodingEngine | None = None
    secure_cookies: bool = False  # True behind HTTPS: the session cookie gets Secure

    @classmethod
    def from_env(cls) -> ApiSettings:
        """Settings for ``medcoder serve`` workers (uvicorn starts them by import string)."""
        return cls(
            home=settings.home_dir(),
            token_ttl=settings.token_ttl(),
            secure_cookies=settings.secure_cookies(),
        )
