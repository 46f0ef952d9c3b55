"""The workbench's pages: server-rendered (Jinja2), reading through the same services as
the API; every change goes through the ``/v1`` API from ``static/workbench.js``."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Annotated, Any, Literal
from urllib.parse import quote, urlsplit

from fastapi import FastAPI, Form, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from fastapi.staticfiles import StaticFiles
from fastapi.templating import Jinja2Templates

from medcoder.api.auth import (
    SESSION_COOKIE,
    Principal,
    cookie_principal,
    end_session,
    form_principal,
    form_token,
    issue_token,
)
from medcoder.api.errors import status_for
from medcoder.api.services import Services
from medcoder.codesets import serialize
from medcoder.codesets.index_walk import IndexNavigator
from medcoder.codesets.registry import Registry
from medcoder.errors import AuthenticationError, MedcoderError, PermissionDeniedError
from medcoder.kinds import QueueSort
from medcoder.records.models import Role
from medcoder.records.permissions import Action, allowed
from medcoder.web import errors
from medcoder.web.diff_view import LISTS as DIFF_LISTS
from medcoder.web.diff_view import diff_page
from medcoder.web.encounter import Part, page_context
from medcoder.web.errors import workbench_hint
from medcoder.web.review_forms import FormAction, ReviewForm, apply

HERE = Path(__file__).resolve().parent
TEMPLATES = Jinja2Templates(directory=HERE / "templates")
MAX_OFFSET = 10_000_000  # as the API's queue: a bigger one overflows the database integer
SORTS = (
    (QueueSort.AGE.value, "longest waiting first"),
    (QueueSort.NEWEST.value, "newest first"),
    (QueueSort.DATE.value, "date of service"),
    (QueueSort.PAYER.value, "payer"),
    (QueueSort.CONFIDENCE.value, "least certain first"),
)


def _services(request: Request) -> Services:
    found: Services = request.app.state.services
    return found


def _render(request: Request, name: str, who: Principal | None, status: int = 200,
            **context: Any) -> HTMLResponse:  # fmt: skip
    return TEMPLATES.TemplateResponse(request, name, {"who": who, **context}, status_code=status)


def _error_page(
    request: Request, who: Principal | None, error: MedcoderError, back: str | None = None
) -> HTMLResponse:
    worded = {"code": error.code, "message": error.message, "hint": workbench_hint(error.hint)}
    return _render(request, "error.html", who, status=status_for(error), error=worded, back=back)


def same_origin(request: Request) -> bool:
    """Whether a form POST came from this server's own pages: its ``Origin`` (else its
    ``Referer``) names this host. A browser sends one of them with every cross-site POST;
    a request with neither (a script, a test client) is not a browser's forged form."""
    claimed = request.headers.get("origin") or request.headers.get("referer")
    if claimed is None:
        return True
    host = request.headers.get("host", "")
    return bool(host) and urlsplit(claimed).netloc == host


def _who(request: Request) -> Principal | None:
    try:
        return cookie_principal(request)
    except MedcoderError:
        return None


def _csrf(request: Request) -> str:
    """The value the page's forms carry to post without script (``auth.form_token``)."""
    return form_token(request.cookies.get(SESSION_COOKIE, ""))


def _to_login(request: Request) -> RedirectResponse:
    # Back to the same page after logging in (an expired session included).
    ended = "&expired=1" if request.cookies.get(SESSION_COOKIE) else ""
    return RedirectResponse(f"/login?next={quote(request.url.path)}{ended}", status_code=303)


def install(app: FastAPI) -> None:
    app.mount("/static", StaticFiles(directory=HERE / "static"), name="static")
    errors.install(app, TEMPLATES)

    @app.get("/", include_in_schema=False)
    def home(request: Request) -> Response:
        return RedirectResponse("/queue" if _who(request) else "/login", status_code=303)

    @app.get("/login", include_in_schema=False)
    def login_page(
        request: Request,
        next: Annotated[str, Query(max_length=300)] = "/queue",
        expired: bool = False,
    ) -> Response:
        return _render(request, "login.html", None, next=next, failed=False, expired=expired)

    @app.post("/login", include_in_schema=False)
    def login_submit(
        request: Request,
        username: Annotated[str, Form(max_length=80)],
        password: Annotated[str, Form(max_length=1024)],
        next: Annotated[str, Form(max_length=300)] = "/queue",
    ) -> Response:
        if not same_origin(request):  # login CSRF: another site's form must not log in
            refused = AuthenticationError(
                "a login posted from another site is refused",
                hint="log in from this server's own login page",
            )
            return _render(request, "login.html", None, status=403, next="/queue", failed=True,
                           error=refused)  # fmt: skip
        services = _services(request)
        records = services.records()
        try:
            services.logins.check(username)
        except MedcoderError as error:
            return _render(request, "login.html", None, status=429, next=next, failed=True,
                           error=error)  # fmt: skip
        found = records.authenticate(username, password)
        if found is None:
            services.logins.failed(username)
            return _render(request, "login.html", None, status=401, next=next, failed=True)
        services.logins.succeeded(username)
        token, _ = issue_token(records, found.name, found.version, services.settings.token_ttl)
        # Only a local path: never redirect to another site after login.
        target = next if next.startswith("/") and next[1:2] not in ("/", "\\") else "/queue"
        response = RedirectResponse(target, status_code=303)
        response.set_cookie(
            SESSION_COOKIE,
            token,
            max_age=int(services.settings.token_ttl.total_seconds()),
            httponly=True,
            samesite="strict",
            secure=services.settings.secure_cookies,
        )
        return response

    @app.post("/logout", include_in_schema=False)
    def logout(request: Request) -> Response:
        end_session(_services(request).records(), request.cookies.get(SESSION_COOKIE))
        response = RedirectResponse("/login", status_code=303)
        response.delete_cookie(SESSION_COOKIE)
        return response

    @app.get("/queue", include_in_schema=False)
    def queue_page(
        request: Request,
        setting: Annotated[str | None, Query(max_length=20)] = None,
        payer: Annotated[str | None, Query(max_length=200)] = None,
        offset: Annotated[int, Query(ge=0, le=MAX_OFFSET)] = 0,
        sort: QueueSort = QueueSort.AGE,
        done: Annotated[str | None, Query(max_length=120)] = None,
        mine: bool = False,
        none_free: bool = False,
    ) -> Response:
        who = _who(request)
        if who is None:
            return _to_login(request)
        records = _services(request).records()
        try:
            items = records.queue(
                who.name, setting=setting or None, payer=payer or None, limit=50,
                offset=offset, sort=sort, mine=mine,
            )  # fmt: skip
            failed = len(records.failed(who.name))
        except MedcoderError as error:
            return _error_page(request, who, error)
        return _render(
            request, "queue.html", who, items=items, setting=setting or "", payer=payer or "",
            offset=offset, sort=sort.value, sorts=SORTS, done=done, failed=failed, mine=mine,
            csrf=_csrf(request), none_free=none_free,
            can_take=allowed(Role(who.role), Action.REVIEW),
        )  # fmt: skip

    @app.post("/queue/next", include_in_schema=False)
    def take_next(request: Request, csrf: Annotated[str, Form(max_length=64)] = "") -> Response:
        """ "Take next" (``medcoder queue --next``, ``POST /v1/queue/next``): the longest-
        waiting unassigned encounter no one holds, assigned to the coder and held, opened;
        back to the queue, saying so, when none is free. A form: works without script."""
        try:
            who = form_principal(request, csrf)
        except MedcoderError as error:  # not this session's page: another site's form
            return _error_page(request, _who(request), error)
        if who is None:
            return _to_login(request)
        if not same_origin(request):
            refused = PermissionDeniedError(
                "a take-next posted from another site is refused",
                hint="press Take next on this server's own work queue",
            )
            return _error_page(request, who, refused)
        try:
            taken = _services(request).records().take_next(who.name)
        except MedcoderError as error:
            return _error_page(request, who, error)
        if taken is None:
            return RedirectResponse("/queue?none_free=true", status_code=303)
        return RedirectResponse(f"/encounters/{quote(taken.encounter)}", status_code=303)

    @app.get("/queue/failed", include_in_schema=False)
    def failed_page(request: Request) -> Response:
        """Encounters that failed to code, with the reason (``medcoder queue --failed``)."""
        who = _who(request)
        if who is None:
            return _to_login(request)
        try:
            items = _services(request).records().failed(who.name)
        except MedcoderError as error:
            return _error_page(request, who, error)
        return _render(request, "failed.html", who, items=items)

    @app.get("/encounters/{encounter_id}", include_in_schema=False)
    def encounter_page(
        request: Request,
        encounter_id: str,
        done: Annotated[str | None, Query(max_length=120)] = None,
    ) -> Response:
        who = _who(request)
        if who is None:
            return _to_login(request)
        services = _services(request)
        records = services.records()
        try:
            # Opening it for work holds it (issue 16, part 4): taken when free, else shown.
            hold = records.open_for_work(who.name, encounter_id).to_json()
            page = services.with_codesets(
                lambda _reg: records.encounter_page(who.name, encounter_id)
            )
            waiting = records.queue(who.name, limit=10)
        except MedcoderError as error:
            return _error_page(request, who, error)
        # The next one this user may work: not another's hold or assignment (issue 16, 4).
        following = next(
            (i.encounter for i in waiting if i.encounter != encounter_id
             and i.locked_by in (None, who.name) and i.assigned_to in (None, who.name)),
            None,
        )  # fmt: skip
        return _render(request, "encounter.html", who, next_encounter=following, done=done,
                       hold=hold, csrf=_csrf(request), **page_context(page))  # fmt: skip

    @app.get("/encounters/{encounter_id}/fragment", include_in_schema=False)
    def encounter_fragment(
        request: Request,
        encounter_id: str,
        part: Annotated[list[Part], Query(min_length=1, max_length=len(Part))],
    ) -> Response:
        """The named parts of the encounter page, rendered by the page's own blocks, for
        workbench.js to put in place after an action (one audited read, as the page)."""
        who = _who(request)
        if who is None:  # workbench.js sends the coder to log in and back (401)
            return HTMLResponse("Your session has ended: log in again.", status_code=401)
        services = _services(request)
        try:
            page = services.with_codesets(
                lambda _reg: services.records().encounter_page(who.name, encounter_id)
            )
        except MedcoderError as error:
            return _error_page(request, who, error)
        template = TEMPLATES.env.get_template("encounter.html")
        context = template.new_context(
            {"request": request, "who": who, "csrf": _csrf(request), **page_context(page)}
        )
        html = "".join("".join(template.blocks[p.value](context)) for p in dict.fromkeys(part))
        return HTMLResponse(html, headers={"Cache-Control": "no-store"})

    @app.post("/encounters/{encounter_id}/review", include_in_schema=False)
    def encounter_form(
        request: Request, encounter_id: str, form: Annotated[ReviewForm, Form()]
    ) -> Response:
        """The encounter page's forms without script: the action, then the page whole."""
        try:
            who = form_principal(request, form.csrf)
        except MedcoderError as error:  # not this session's page: another site's form
            return _error_page(request, _who(request), error)
        if who is None:
            return _to_login(request)
        if not same_origin(request):  # another site's form must not act for the coder
            refused = PermissionDeniedError(
                "a change posted from another site is refused",
                hint="make the change on this server's own encounter page",
            )
            return _error_page(request, who, refused)
        services = _services(request)
        try:
            apply(services, who.name, encounter_id, form)
            following = None
            if form.act is FormAction.FINALIZE:
                waiting = services.records().queue(who.name, limit=1)
                following = waiting[0].encounter if waiting else None
        except MedcoderError as error:
            return _error_page(request, who, error, back=f"/encounters/{quote(encounter_id)}")
        target = f"/encounters/{quote(encounter_id)}"
        if form.act is FormAction.FINALIZE:
            done = f"done={quote(encounter_id)}"
            target = f"/encounters/{quote(following)}?{done}" if following else f"/queue?{done}"
        return RedirectResponse(target, status_code=303)

    @app.get("/browse", include_in_schema=False)
    def browse(
        request: Request,
        q: Annotated[str, Query(max_length=200)] = "",
        code: Annotated[str, Query(max_length=20)] = "",
        path: Annotated[str, Query(max_length=500)] = "",
        old: Annotated[str, Query(max_length=40)] = "",
        new: Annotated[str, Query(max_length=40)] = "",
        release: Annotated[str, Query(max_length=40)] = "",
        date: dt.date | None = None,
        show: Literal["added", "deleted", "revised", "notes_changed"] = "added",
        page: Annotated[int, Query(ge=1, le=100_000)] = 1,
    ) -> Response:
        """The code browser: search, a Tabular entry, an index walk, a release diff (one
        of its lists, ``show``, a page at a time)."""
        who = _who(request)
        if who is None:
            return _to_login(request)

        def look(registry: Registry) -> dict[str, Any]:
            chosen = registry.choose(name=release or None, day=date)
            found: dict[str, Any] = {
                "releases": [i.name for i in registry.available()],
                "release": chosen.name,
            }
            if q:
                found["hits"] = chosen.search(q, 30)
            if code:
                found["entry"] = serialize.code_detail(chosen, code)
            if path and "index" in chosen.books():
                found["walk"] = serialize.index_result(
                    IndexNavigator.for_release(chosen).walk(path, "index")
                )
            return found

        try:
            found = _services(request).with_codesets(look)
            if old and new:
                whole = _services(request).release_diff(old, new)
                found["diff"] = diff_page(whole, show, page)
        except MedcoderError as error:
            return _error_page(request, who, error)
        return _render(
            request, "browse.html", who, q=q, code=code, path=path, old=old, new=new,
            diff_lists=DIFF_LISTS, **found,
        )  # fmt: skip
