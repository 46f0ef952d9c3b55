"""One JSON error shape for every error the API returns (pinned by a test)::

    {"ok": false, "status": 404, "error": {"code": "E404", "message": "...", "hint": "..."}}

``code`` is the stable ``medcoder.errors`` code; the HTTP status follows from it.
"""

from __future__ import annotations

import logging
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError as FastApiValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException

from medcoder import errors as e

log = logging.getLogger("medcoder.api")

# The most specific class wins (looked up along the exception's MRO).
STATUS: dict[type[e.MedcoderError], int] = {
    e.AuthenticationError: 401,
    e.RequestTooLargeError: 413,
    e.InputTooLargeError: 413,
    e.TimeBudgetError: 503,
    e.RouteNotFoundError: 404,
    e.RequestValidationError: 422,
    e.TooManyAttemptsError: 429,
    e.PermissionDeniedError: 403,
    e.RecordNotFoundError: 404,
    e.ReleaseNotFoundError: 404,
    e.UnknownCodeError: 404,
    e.NoReleaseForDateError: 422,
    e.MissingComponentError: 409,
    e.InvalidInputError: 422,
    e.WorkflowError: 409,
    e.EditsBlockedError: 409,
    e.ClaimFormatError: 422,
    e.EditTableError: 503,
    e.ImportFormatError: 422,
    e.ExportError: 422,
    e.RegistryDefinitionError: 422,
    e.DatabaseError: 503,
    e.EncryptionKeyError: 503,
    e.ConfigurationError: 503,
    e.CodeSetError: 500,
    e.MedcoderError: 400,
}


def status_for(error: e.MedcoderError) -> int:
    for cls in type(error).__mro__:
        if cls in STATUS:
            return STATUS[cls]
    return 400


def error_body(status: int, code: str, message: str, hint: str | None = None) -> dict[str, Any]:
    return {
        "ok": False,
        "status": status,
        "error": {"code": code, "message": message, "hint": hint},
    }


def error_response(
    status: int, code: str, message: str, hint: str | None = None, **headers: str
) -> JSONResponse:
    return JSONResponse(
        error_body(status, code, message, hint), status_code=status, headers=headers
    )


def medcoder_error_response(error: e.MedcoderError, hint: str | None = None) -> JSONResponse:
    """The error in the one shape; ``hint`` replaces the error's own (the workbench's words)."""
    status = status_for(error)
    headers = {"WWW-Authenticate": "Bearer"} if status == 401 else {}
    return error_response(status, error.code, error.message, hint or error.hint, **headers)


def _validation_message(exc: FastApiValidationError) -> str:
    problems = []
    for problem in exc.errors()[:5]:
        where = ".".join(str(part) for part in problem.get("loc", ()) if part != "body")
        problems.append(f"{where or 'body'}: {problem.get('msg', 'invalid')}")
    return "; ".join(problems) or "the request is malformed"


def validation_error_response(exc: FastApiValidationError) -> JSONResponse:
    # The message names fields and what is wrong, never the submitted values (PHI).
    return error_response(
        422,
        e.RequestValidationError.code,
        _validation_message(exc),
        "see /openapi.json for the request's shape",
    )


def http_error_response(exc: HTTPException) -> JSONResponse:
    if exc.status_code in (404, 405):
        message = "no such route" if exc.status_code == 404 else "method not allowed here"
        return error_response(
            exc.status_code, e.RouteNotFoundError.code, message, "see /openapi.json"
        )
    return error_response(exc.status_code, e.ApiError.code, str(exc.detail))


def install(app: FastAPI) -> None:
    """Route every error through the one shape."""

    @app.exception_handler(e.MedcoderError)
    async def _medcoder(_request: Request, exc: e.MedcoderError) -> JSONResponse:
        return medcoder_error_response(exc)

    @app.exception_handler(FastApiValidationError)
    async def _invalid(_request: Request, exc: FastApiValidationError) -> JSONResponse:
        return validation_error_response(exc)

    @app.exception_handler(HTTPException)
    async def _http(_request: Request, exc: HTTPException) -> JSONResponse:
        return http_error_response(exc)

    @app.exception_handler(Exception)
    async def _unexpected(_request: Request, exc: Exception) -> JSONResponse:
        # The exception's text may quote a note: log its type only.
        log.error("unexpected %s", type(exc).__name__)
        return error_response(
            500,
            e.MedcoderError.code,
            "internal error",
            "please report it with the time it happened",
        )
