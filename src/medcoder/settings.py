"""Every environment variable medcoder reads, and nothing else reads one.

One small function per variable, read when it is called (never at import, so a test or
a ``medcoder serve`` worker sees the environment of the moment). An empty value counts
as unset. Each variable is documented in the README's "Settings" table; a test checks
that every name below stands there, and another that no other module reads
``os.environ``.

- ``MEDCODER_HOME``: the store of built releases, the records database and its key file
  (default: the user data dir).
- ``MEDCODER_DATA``: the folder of official CMS files that ``medcoder setup`` and the
  claim edits read (default: ``../shared/data`` when present).
- ``MEDCODER_MUE_FILE``: the CMS MUE CSV the MUE edit reads (no default).
- ``MEDCODER_DATABASE_URL``: the records database (default: SQLite under the home).
- ``MEDCODER_KEY``: the PHI encryption key, base64 of 32 bytes (default: the keyring
  file under the home).
- ``MEDCODER_NEW_KEY``: the key ``medcoder keys rotate`` moves to, when the key comes
  from ``MEDCODER_KEY``.
- ``MEDCODER_AUDIT_KEY``: the audit-chain HMAC key ring, ``NEW,OLD,...`` base64 keys
  (default: ``audit.key`` under the home).
- ``MEDCODER_NEW_AUDIT_KEY``: the key ``medcoder audit rotate-key`` moves to, when the
  ring comes from ``MEDCODER_AUDIT_KEY``.
- ``MEDCODER_TOKEN_TTL_MINUTES``: how long an API token lives (default 480).
- ``MEDCODER_SECURE_COOKIES``: ``1`` behind HTTPS, so the session cookie is Secure.
- ``MEDCODER_CODE_TIME_BUDGET_S``: the seconds the REST API gives one note's coding
  before it stops with E302 (default 60; 0 for no budget).
- ``MEDCODER_LOCK_MINUTES``: how long a coder's hold on an encounter lasts without
  activity (default 30; every review action renews it).
- ``MEDCODER_RISK_ADJUSTED_PAYERS``: the payers (comma-separated, any case) whose
  encounters the claim panel scores with CMS-HCC (default ``Medicare Advantage``).
- ``MEDCODER_CLAIM_SUBMITTER_ID``, ``MEDCODER_CLAIM_SUBMITTER_NAME``,
  ``MEDCODER_CLAIM_SUBMITTER_PHONE``,
  ``MEDCODER_CLAIM_RECEIVER_ID``, ``MEDCODER_CLAIM_RECEIVER_NAME``,
  ``MEDCODER_CLAIM_BILLING_NPI``, ``MEDCODER_CLAIM_BILLING_TAX_ID``,
  ``MEDCODER_CLAIM_BILLING_NAME``, ``MEDCODER_CLAIM_BILLING_ADDRESS``: who sends, receives
  and bills the X12 837 / FHIR claims ``medcoder claim`` writes (defaults: synthetic
  placeholders, ``claim_parties``).
- ``PYSPARK_PYTHON``: pyspark's own variable, the interpreter Spark's Python workers run;
  ``medcoder spark-code`` sets it to its own interpreter when it is unset.
- ``MEDCODER_USER``, ``MEDCODER_NEW_PASSWORD``: defaults of command-line options, read by
  click (``envvar=``) rather than here; named here so that every variable is in one list.
"""

from __future__ import annotations

import datetime as dt
import os
from dataclasses import dataclass
from pathlib import Path

import platformdirs

from medcoder.errors import ConfigurationError, DataNotFoundError

HOME_ENV = "MEDCODER_HOME"
DATA_ENV = "MEDCODER_DATA"
MUE_FILE_ENV = "MEDCODER_MUE_FILE"
DATABASE_URL_ENV = "MEDCODER_DATABASE_URL"
KEY_ENV = "MEDCODER_KEY"
NEW_KEY_ENV = "MEDCODER_NEW_KEY"
AUDIT_KEY_ENV = "MEDCODER_AUDIT_KEY"
NEW_AUDIT_KEY_ENV = "MEDCODER_NEW_AUDIT_KEY"
TOKEN_TTL_ENV = "MEDCODER_TOKEN_TTL_MINUTES"
SECURE_COOKIES_ENV = "MEDCODER_SECURE_COOKIES"
CODE_TIME_BUDGET_ENV = "MEDCODER_CODE_TIME_BUDGET_S"
LOCK_MINUTES_ENV = "MEDCODER_LOCK_MINUTES"
RISK_ADJUSTED_PAYERS_ENV = "MEDCODER_RISK_ADJUSTED_PAYERS"
CLAIM_SUBMITTER_ID_ENV = "MEDCODER_CLAIM_SUBMITTER_ID"
CLAIM_SUBMITTER_NAME_ENV = "MEDCODER_CLAIM_SUBMITTER_NAME"
CLAIM_SUBMITTER_PHONE_ENV = "MEDCODER_CLAIM_SUBMITTER_PHONE"
CLAIM_RECEIVER_ID_ENV = "MEDCODER_CLAIM_RECEIVER_ID"
CLAIM_RECEIVER_NAME_ENV = "MEDCODER_CLAIM_RECEIVER_NAME"
CLAIM_BILLING_NPI_ENV = "MEDCODER_CLAIM_BILLING_NPI"
CLAIM_BILLING_TAX_ID_ENV = "MEDCODER_CLAIM_BILLING_TAX_ID"
CLAIM_BILLING_NAME_ENV = "MEDCODER_CLAIM_BILLING_NAME"
CLAIM_BILLING_ADDRESS_ENV = "MEDCODER_CLAIM_BILLING_ADDRESS"
USER_ENV = "MEDCODER_USER"  # --user of the records and edits commands
NEW_PASSWORD_ENV = "MEDCODER_NEW_PASSWORD"  # --password of `medcoder users password`

ENVIRONMENT = (
    HOME_ENV,
    DATA_ENV,
    MUE_FILE_ENV,
    DATABASE_URL_ENV,
    KEY_ENV,
    NEW_KEY_ENV,
    AUDIT_KEY_ENV,
    NEW_AUDIT_KEY_ENV,
    TOKEN_TTL_ENV,
    SECURE_COOKIES_ENV,
    CODE_TIME_BUDGET_ENV,
    LOCK_MINUTES_ENV,
    RISK_ADJUSTED_PAYERS_ENV,
    CLAIM_SUBMITTER_ID_ENV,
    CLAIM_SUBMITTER_NAME_ENV,
    CLAIM_SUBMITTER_PHONE_ENV,
    CLAIM_RECEIVER_ID_ENV,
    CLAIM_RECEIVER_NAME_ENV,
    CLAIM_BILLING_NPI_ENV,
    CLAIM_BILLING_TAX_ID_ENV,
    CLAIM_BILLING_NAME_ENV,
    CLAIM_BILLING_ADDRESS_ENV,
    USER_ENV,
    NEW_PASSWORD_ENV,
)
"""Every environment variable medcoder reads, in the order the README lists them."""

DEFAULT_TOKEN_TTL_MINUTES = 480


def _read(name: str) -> str | None:
    """The variable's value, or None when it is unset or empty."""
    return os.environ.get(name) or None


def _path(name: str) -> Path | None:
    value = _read(name)
    return Path(value).expanduser() if value else None


def home_dir(explicit: Path | None = None) -> Path:
    """``explicit`` if given, else ``$MEDCODER_HOME``, else the user data dir."""
    if explicit is not None:
        return explicit
    return _path(HOME_ENV) or Path(platformdirs.user_data_dir("medcoder", appauthor=False))


def find_data_dir(explicit: Path | None = None) -> Path | None:
    """The CMS data folder: ``explicit`` if given, else ``$MEDCODER_DATA``, else
    ``../shared/data``; None when the one chosen is not a folder."""
    candidate = explicit or _path(DATA_ENV) or Path.cwd().parent / "shared" / "data"
    return candidate if candidate.is_dir() else None


def data_dir(explicit: Path | None = None) -> Path:
    """As ``find_data_dir``, but E101 naming the folder looked at when there is none."""
    found = find_data_dir(explicit)
    if found is None:
        looked = explicit or _path(DATA_ENV) or Path.cwd().parent / "shared" / "data"
        raise DataNotFoundError(
            f"no CMS data folder at {looked}",
            hint=f"pass --data DIR or set {DATA_ENV} to the folder holding the ICD-10-CM files",
        )
    return found


def mue_file() -> Path | None:
    """``$MEDCODER_MUE_FILE``: the CMS MUE CSV (Practitioner, Outpatient or DME), if set."""
    return _path(MUE_FILE_ENV)


def database_url() -> str | None:
    """``$MEDCODER_DATABASE_URL``, if set; the records database is SQLite otherwise."""
    return _read(DATABASE_URL_ENV)


def encryption_key() -> str | None:
    """``$MEDCODER_KEY`` as written (base64 of 32 bytes), if set; the keyring file
    under the home holds the key otherwise."""
    return _read(KEY_ENV)


def new_encryption_key() -> str | None:
    """``$MEDCODER_NEW_KEY`` as written, if set: the key a rotation moves to."""
    return _read(NEW_KEY_ENV)


def audit_key() -> str | None:
    """``$MEDCODER_AUDIT_KEY`` as written (base64 keys, newest first), if set; the
    ``audit.key`` ring file under the home holds the audit keys otherwise."""
    return _read(AUDIT_KEY_ENV)


def new_audit_key() -> str | None:
    """``$MEDCODER_NEW_AUDIT_KEY`` as written, if set: the key an audit-key rotation moves to."""
    return _read(NEW_AUDIT_KEY_ENV)


def token_ttl() -> dt.timedelta:
    """``$MEDCODER_TOKEN_TTL_MINUTES`` (default 480, at least 1) as a lifetime."""
    value = _read(TOKEN_TTL_ENV)
    if value is None:
        return dt.timedelta(minutes=DEFAULT_TOKEN_TTL_MINUTES)
    try:
        minutes = int(value)
    except ValueError:
        raise ConfigurationError(
            f"{TOKEN_TTL_ENV} is {value!r}, not a whole number of minutes",
            hint=f"set {TOKEN_TTL_ENV} to e.g. {DEFAULT_TOKEN_TTL_MINUTES}, or unset it",
        ) from None
    return dt.timedelta(minutes=max(1, minutes))


def secure_cookies() -> bool:
    """True when ``$MEDCODER_SECURE_COOKIES`` is ``1`` (the API is served over HTTPS)."""
    return _read(SECURE_COOKIES_ENV) == "1"


#: pyspark's variable (not medcoder's): the Python that Spark's workers run.
PYSPARK_PYTHON_ENV = "PYSPARK_PYTHON"


def pyspark_python() -> str | None:
    """``$PYSPARK_PYTHON``, if set: the interpreter Spark starts its Python workers with."""
    return _read(PYSPARK_PYTHON_ENV)


DEFAULT_CODE_TIME_BUDGET_S = 60.0


def code_time_budget() -> float | None:
    """``$MEDCODER_CODE_TIME_BUDGET_S``: the seconds an API request may spend coding one
    note (default 60; ``0`` means no budget). Coding is linear, about 2 s per million
    characters on one core, so the default leaves room for the largest note taken."""
    value = _read(CODE_TIME_BUDGET_ENV)
    if value is None:
        return DEFAULT_CODE_TIME_BUDGET_S
    try:
        seconds = float(value)
    except ValueError:
        seconds = -1.0
    if not seconds >= 0 or seconds == float("inf"):
        raise ConfigurationError(
            f"{CODE_TIME_BUDGET_ENV} is {value!r}, not a number of seconds",
            hint=f"set {CODE_TIME_BUDGET_ENV} to e.g. {DEFAULT_CODE_TIME_BUDGET_S:g}, 0 for none",
        )
    return seconds or None


DEFAULT_LOCK_MINUTES = 30


def lock_ttl() -> dt.timedelta:
    """``$MEDCODER_LOCK_MINUTES`` (default 30, at least 1): how long a hold on an
    encounter lasts after the holder's last action (issue 16, part 4)."""
    value = _read(LOCK_MINUTES_ENV)
    if value is None:
        return dt.timedelta(minutes=DEFAULT_LOCK_MINUTES)
    try:
        minutes = int(value)
    except ValueError:
        raise ConfigurationError(
            f"{LOCK_MINUTES_ENV} is {value!r}, not a whole number of minutes",
            hint=f"set {LOCK_MINUTES_ENV} to e.g. {DEFAULT_LOCK_MINUTES}, or unset it",
        ) from None
    return dt.timedelta(minutes=max(1, minutes))


DEFAULT_RISK_ADJUSTED_PAYERS = ("medicare advantage",)


def risk_adjusted_payers() -> frozenset[str]:
    """``$MEDCODER_RISK_ADJUSTED_PAYERS``: the payer names (comma-separated, compared in
    lower case) whose encounters are risk-adjusted with CMS-HCC (default: Medicare
    Advantage, the payer CMS pays by the CMS-HCC risk score)."""
    value = _read(RISK_ADJUSTED_PAYERS_ENV)
    names = value.split(",") if value is not None else DEFAULT_RISK_ADJUSTED_PAYERS
    return frozenset(n.strip().lower() for n in names if n.strip())


@dataclass(frozen=True, slots=True)
class ClaimParties:
    """Who sends, receives and bills a claim (X12 837 loops 1000A, 1000B, 2010AA).

    The defaults are synthetic placeholders, plainly named so, never a real organisation:
    NPI 1234567893 is the check-digit-valid example NPI of the CMS NPI standard; a real
    submission sets every ``MEDCODER_CLAIM_*`` variable.
    """

    submitter_id: str = "MEDCODERTEST"
    submitter_name: str = "PLACEHOLDER SUBMITTER"
    submitter_phone: str = "5555550100"  # 555-01xx: reserved for fiction
    receiver_id: str = "RECEIVERTEST"
    receiver_name: str = "PLACEHOLDER RECEIVER"
    billing_npi: str = "1234567893"
    billing_tax_id: str = "000000000"
    billing_name: str = "PLACEHOLDER BILLING PROVIDER"
    billing_street: str = "1 PLACEHOLDER WAY"
    billing_city: str = "NOWHERE"
    billing_state: str = "MD"
    billing_zip: str = "212440000"


def claim_parties() -> ClaimParties:
    """The claim parties: each ``MEDCODER_CLAIM_*`` variable over its placeholder default.

    ``MEDCODER_CLAIM_BILLING_ADDRESS`` is ``street|city|state|zip`` (ZIP of 9 digits, as
    the 837 billing provider address requires).
    """
    default = ClaimParties()
    address = _read(CLAIM_BILLING_ADDRESS_ENV)
    street, city, state, zip_code = (
        default.billing_street,
        default.billing_city,
        default.billing_state,
        default.billing_zip,
    )
    if address is not None:
        parts = [p.strip() for p in address.split("|")]
        if len(parts) != 4 or not all(parts):
            raise ConfigurationError(
                f"{CLAIM_BILLING_ADDRESS_ENV} is {address!r}, not street|city|state|zip",
                hint=f"e.g. {CLAIM_BILLING_ADDRESS_ENV}='1 Main St|Springfield|IL|627010001'",
            )
        street, city, state, zip_code = parts
    return ClaimParties(
        submitter_id=_read(CLAIM_SUBMITTER_ID_ENV) or default.submitter_id,
        submitter_name=_read(CLAIM_SUBMITTER_NAME_ENV) or default.submitter_name,
        submitter_phone=_read(CLAIM_SUBMITTER_PHONE_ENV) or default.submitter_phone,
        receiver_id=_read(CLAIM_RECEIVER_ID_ENV) or default.receiver_id,
        receiver_name=_read(CLAIM_RECEIVER_NAME_ENV) or default.receiver_name,
        billing_npi=_read(CLAIM_BILLING_NPI_ENV) or default.billing_npi,
        billing_tax_id=_read(CLAIM_BILLING_TAX_ID_ENV) or default.billing_tax_id,
        billing_name=_read(CLAIM_BILLING_NAME_ENV) or default.billing_name,
        billing_street=street,
        billing_city=city,
        billing_state=state,
        billing_zip=zip_code,
    )
