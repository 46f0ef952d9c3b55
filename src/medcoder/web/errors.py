"""Errors in the coder's language (issue 16, part 8).

The records service's hints name CLI commands and flags (``medcoder queue`` lists ...,
``--acknowledge REASON``): right at a terminal, wrong on a web page. The workbench's own
requests (its pages, and its script's ``/v1`` calls, which carry ``X-Requested-With``)
get the same error with the hint re-worded to name buttons and boxes; every other API
client gets the error as it is. Unknown pages and bad page parameters get a styled page,
never raw JSON; the ``/v1`` API keeps its one JSON error shape.
"""

from __future__ import annotations

import re
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError as FastApiValidationError
from fastapi.responses import Response
from fastapi.templating import Jinja2Templates
from starlette.exceptions import HTTPException

from medcoder import errors as e
from medcoder.api.auth import CSRF_HEADER
from medcoder.api.errors import (
    http_error_response,
    medcoder_error_response,
    status_for,
    validation_error_response,
)

# (pattern in a CLI hint, the workbench's words). First match wins; a hint that names
# no command is left as it is.
HINTS: tuple[tuple[re.Pattern[str], str], ...] = (
    (re.compile(r"finalize --acknowledge REASON"),
     "type a reason in the box next to Finalize and press Finalize again"),
    (re.compile(r"^--acknowledge REASON$"), "type a reason in the box next to Finalize"),
    (re.compile(r"medcoder queue"), "the Work queue lists the encounters awaiting review"),
    (re.compile(r"re-open it with a reason"),
     "a reviewer or manager re-opens it: type a reason and press Re-open"),
    (re.compile(r"pass --reason TEXT"), "type a reason in the Reason box"),
    (re.compile(r"medcoder review \S+ finalize"), "review the codes and press Finalize"),
    (re.compile(r"release it \(medcoder review \S+ release\)"),
     "open another encounter from the Work queue, or ask the holder or a manager to release "
     "this one"),
    (re.compile(r"a manager reassigns it"), "a manager reassigns it"),
    (re.compile(r"`?medcoder [a-z]"), "ask your manager or administrator"),
)  # fmt: skip
API_PATHS = ("/v1/", "/openapi.json", "/docs")
TITLES = {
    404: "This page does not exist",
    405: "This page does not take that request",
    422: "Something in the address is not right",
}


def workbench_hint(hint: str | None) -> str | None:
    """A CLI hint re-worded for a page: buttons and boxes, never commands or flags."""
    if not hint:
        return hint
    for pattern, words in HINTS:
        if pattern.search(hint):
            return words
    return hint


def _from_workbench(request: Request) -> bool:
    return not request.url.path.startswith(API_PATHS) or bool(request.headers.get(CSRF_HEADER))


def _page(templates: Jinja2Templates, request: Request, status: int, message: str,
          hint: str | None, code: str) -> Response:  # fmt: skip
    error: dict[str, Any] = {"code": code, "message": message, "hint": hint}
    context = {"who": None, "error": error, "title": TITLES.get(status, "Something went wrong")}
    return templates.TemplateResponse(request, "error.html", context, status_code=status)


def install(app: FastAPI, templates: Jinja2Templates) -> None:
    """Replace the API's handlers with ones that answer the workbench in its words."""

    @app.exception_handler(e.MedcoderError)
    async def _medcoder(request: Request, exc: e.MedcoderError) -> Response:
        if not _from_workbench(request):
            return medcoder_error_response(exc)
        hint = workbench_hint(exc.hint)
        if request.url.path.startswith(API_PATHS):
            return medcoder_error_response(exc, hint)
        return _page(templates, request, status_for(exc), exc.message, hint, exc.code)

    @app.exception_handler(HTTPException)
    async def _http(request: Request, exc: HTTPException) -> Response:
        if request.url.path.startswith(API_PATHS):
            return http_error_response(exc)
        message = "Check the address, or go back to the work queue."
        code = e.RouteNotFoundError.code if exc.status_code in (404, 405) else e.ApiError.code
        return _page(templates, request, exc.status_code, message, None, code)

    @app.exception_handler(FastApiValidationError)
    async def _invalid(request: Request, exc: FastApiValidationError) -> Response:
        if request.url.path.startswith(API_PATHS):
            return validation_error_response(exc)
        where = ", ".join(
            str(problem.get("loc", ("?",))[-1]) for problem in exc.errors()[:5]
        )  # names the parameters, never their values
        message = f"The page cannot show this: {where or 'a parameter'} is out of range."
        return _page(templates, request, 422, message, None, e.RequestValidationError.code)
