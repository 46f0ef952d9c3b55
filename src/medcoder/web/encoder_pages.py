"""The encoder's pages: ``/encoder/{book}`` walks a book one level at a time and
``/tabular/{code}`` is a code's Tabular entry, a whole page or (``panel=1``) the fragment
``static/encoder.js`` puts in the side panel. Read-only: any signed-in user."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any, Literal
from urllib.parse import urlencode

from fastapi import FastAPI, Path, Query, Request
from fastapi.responses import RedirectResponse, Response

from medcoder.codesets import serialize
from medcoder.codesets.registry import Registry
from medcoder.errors import InvalidInputError, MedcoderError, RecordNotFoundError
from medcoder.web import encoder
from medcoder.web.pages import _error_page, _render, _services, _to_login, _who

Book = Literal["index", "eindex", "neoplasm", "drug"]
ReleaseName = Annotated[str, Query(max_length=40)]
# A form's empty date box sends "": the release in force today.
Day = Annotated[str, Query(max_length=10, pattern=r"^(\d{4}-\d{2}-\d{2})?$")]


def _day(text: str) -> dt.date | None:
    if not text:
        return None
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise InvalidInputError(f"date {text!r} is not a day (YYYY-MM-DD)") from None


def _query(**params: Any) -> str:
    kept = {k: v for k, v in params.items() if v not in (None, "")}
    return ("?" + urlencode(kept)) if kept else ""


def install(app: FastAPI) -> None:
    @app.get("/encoder", include_in_schema=False)
    def encoder_home() -> Response:
        return RedirectResponse("/encoder/index", status_code=303)

    @app.get("/encoder/{book}", include_in_schema=False)
    def encoder_page(
        request: Request,
        book: Book,
        term: Annotated[int | None, Query(ge=1, le=10_000_000)] = None,
        letter: Annotated[str, Query(max_length=1)] = "",
        page: Annotated[int, Query(ge=1, le=10_000)] = 1,
        start: Annotated[str, Query(max_length=60)] = "",
        path: Annotated[str, Query(max_length=300)] = "",
        col: Annotated[str, Query(max_length=40)] = "",
        release: ReleaseName = "",
        date: Day = "",
    ) -> Response:
        """A book's main terms by letter, a page at a time (``page``, or the page of the
        first term starting with ``start``), or one term and its subterms; ``path`` (typed,
        or a "see" reference) goes to the term it names, in whatever book holds it."""
        who = _who(request)
        if who is None:
            return _to_login(request)

        def look(registry: Registry) -> dict[str, Any] | Response:
            chosen, notice = encoder.choose_release(registry, release, _day(date))
            keep = {"release": release, "date": date}
            walk = encoder.follow(chosen, book, path) if path else None
            if walk is not None and (walk["book"] != book or not walk["unmatched"]):
                # Found (or another book's first page): go there, an address of its own.
                to = _query(term=walk["term"], col=walk["column"], **keep)
                return RedirectResponse(f"/encoder/{walk['book']}{to}", status_code=303)
            encoder.check_book(chosen, book)
            found: dict[str, Any] = {
                "release": chosen.name,
                "releases": [i.name for i in registry.available()],
                "notice": notice,
                "keep": _query(**keep),
                "headings": encoder.headings(chosen, book),
                "columns": list(encoder.TABLES.get(book, {})),
            }
            term_id = term
            if walk is not None:
                found["walk"] = {"path": path, **walk}
                term_id = walk["term"]
            if book == "neoplasm" and term_id is None:
                mains = chosen.main_terms("neoplasm")
                term_id = mains[0].id if mains else None
            if term_id is not None:
                one = encoder.term_page(chosen, book, term_id)
                if one is None:
                    raise RecordNotFoundError(f"{book} has no term {term_id} in {chosen.name}")
                found.update(one)
            else:
                found["letters"] = encoder.letters(chosen, book)
                first = letter or start.strip()[:1] or (found["letters"] or ["A"])[0]
                found["letter"] = first.upper()
                found.update(encoder.main_terms(chosen, book, found["letter"], page, start))
            return found

        try:
            found = _services(request).with_codesets(look)
        except MedcoderError as error:
            return _error_page(request, who, error)
        if isinstance(found, Response):
            return found
        return _render(
            request, "encoder.html", who, book=book, books=encoder.BOOKS, path=path, col=col,
            date=date, start=start, chosen_release=release,
            keep_and=found["keep"].replace("?", "&", 1),
            **found,
        )  # fmt: skip

    @app.get("/tabular/{code}", include_in_schema=False)
    def tabular_page(
        request: Request,
        code: Annotated[str, Path(max_length=20)],
        release: ReleaseName = "",
        date: Day = "",
        panel: bool = False,
    ) -> Response:
        """A code's Tabular entry: title, includes and excludes, code first / use
        additional / code also, 7th characters (``medcoder codes show``)."""
        who = _who(request)
        if who is None:
            return _to_login(request)

        def look(registry: Registry) -> dict[str, Any]:
            chosen, notice = encoder.choose_release(registry, release, _day(date))
            return {"entry": serialize.code_detail(chosen, code), "release": chosen.name,
                    "notice": notice}  # fmt: skip

        try:
            found = _services(request).with_codesets(look)
        except MedcoderError as error:
            return _error_page(request, who, error)
        keep = _query(release=release, date=date)
        name = "tabular_panel.html" if panel else "tabular.html"
        return _render(request, name, who, keep=keep, keep_and=keep.replace("?", "&", 1), **found)
