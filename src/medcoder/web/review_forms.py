"""The encounter page without script (issue 16, part 4): its forms post here, one route
(``POST /encounters/{id}/review``, pages.py), and the page comes back whole (303 to it).

With script, workbench.js sends the same actions to the ``/v1`` API and puts the changed
parts in place; without it, each form names its action (``act``) and this module calls the
``Records`` method the API route calls, as the logged-in user: the same role checks,
validation and audit trail. A move button sends the group's whole new order (``order``),
as drag and drop does.
"""

from __future__ import annotations

from enum import StrEnum

from pydantic import BaseModel, ConfigDict, Field

from medcoder.api.schemas import PoaValue, SystemName
from medcoder.api.services import Services
from medcoder.errors import InvalidInputError


class FormAction(StrEnum):
    """What one of the encounter page's forms asks for."""

    ACCEPT = "accept"
    REJECT = "reject"
    CHANGE = "change"
    LINE = "line"  # units and modifiers of a CPT/HCPCS line
    POA = "poa"
    ADD = "add"
    SEQUENCE = "sequence"  # ``order``: the group's codes, SYSTEM:CODE, first to last
    FINALIZE = "finalize"
    REOPEN = "reopen"
    QUERY = "query"  # send a physician query
    ANSWER = "answer"
    CLOSE = "close"


class ReviewForm(BaseModel):
    """The fields the page's forms send (each action reads its own)."""

    model_config = ConfigDict(extra="forbid")

    act: FormAction | None = None  # none: a move button's ``order`` (SEQUENCE)
    csrf: str = Field(default="", max_length=64)  # auth.form_token of the session
    code: str | None = Field(default=None, max_length=20)
    system: SystemName | None = None
    reason: str | None = Field(default=None, max_length=2000)
    new_code: str | None = Field(default=None, max_length=20)
    units: int | None = Field(default=None, ge=1, le=100_000)
    modifiers: str | None = Field(default=None, max_length=40)
    poa: PoaValue | None = None
    order: str | None = Field(default=None, max_length=4000)
    acknowledge: str | None = Field(default=None, max_length=2000)
    query: int | None = Field(default=None, ge=1, le=2**31 - 1)
    template: str | None = Field(default=None, max_length=40)
    text: str | None = Field(default=None, max_length=2000)
    answer: str | None = Field(default=None, max_length=2000)
    detail: str | None = Field(default=None, max_length=2000)
    hold_finalize: bool = False


def _needed(value: str | int | None, what: str) -> str:
    if value is None or not str(value).strip():
        raise InvalidInputError(f"the form sent no {what}", hint=f"fill in the {what} and send it")
    return str(value).strip()


def _modifiers(form: ReviewForm) -> list[str] | None:
    if form.modifiers is None:
        return None
    found = [m.upper() for m in form.modifiers.replace(",", " ").split()]
    bad = [m for m in found if not (len(m) == 2 and m.isalnum())]
    if bad or len(found) > 4:
        raise InvalidInputError(
            f"modifiers {form.modifiers!r}: up to four, two letters or digits each",
            hint="e.g. 25 59",
        )
    return found


def apply(services: Services, user: str, encounter: str, form: ReviewForm) -> None:
    """Do what ``form`` asks on ``encounter`` as ``user`` (a ``MedcoderError`` otherwise)."""
    records = services.records()
    act, system = form.act or (FormAction.SEQUENCE if form.order else None), form.system
    if act is None:
        raise InvalidInputError("the form named no action", hint="use the page's own buttons")
    if act is FormAction.ACCEPT:
        records.accept(user, encounter, _needed(form.code, "code"), system=system)
    elif act is FormAction.REJECT:
        code, reason = _needed(form.code, "code"), _needed(form.reason, "reason")
        records.reject(user, encounter, code, reason, system=system)
    elif act is FormAction.CHANGE:
        code, new = _needed(form.code, "code"), _needed(form.new_code, "new code")
        services.with_codesets(
            lambda _reg: records.change(
                user, encounter, code, new, form.reason or None, system=system
            )
        )
    elif act is FormAction.LINE:
        code, modifiers = _needed(form.code, "code"), _modifiers(form)
        services.with_codesets(
            lambda _reg: records.set_line(
                user, encounter, code, units=form.units, modifiers=modifiers, system=system
            )
        )
    elif act is FormAction.POA:
        records.set_poa(user, encounter, _needed(form.code, "code"), _needed(form.poa, "POA"))
    elif act is FormAction.ADD:
        code, modifiers = _needed(form.code, "code"), _modifiers(form)
        services.with_codesets(
            lambda _reg: records.add(
                user,
                encounter,
                code,
                form.reason or None,
                system=system,
                units=form.units,
                modifiers=modifiers,
            )
        )
    elif act is FormAction.SEQUENCE:
        records.resequence(user, encounter, _needed(form.order, "order").split())
    elif act is FormAction.FINALIZE:
        services.with_codesets(
            lambda _reg: records.finalize(user, encounter, form.acknowledge or None)
        )
    elif act is FormAction.REOPEN:
        records.reopen(user, encounter, _needed(form.reason, "reason"))
    elif act is FormAction.QUERY:
        template, text = _needed(form.template, "template"), _needed(form.text, "record's words")
        records.ask_query(user, encounter, template, code=form.code or None, text=text,
                          hold_finalize=form.hold_finalize)  # fmt: skip
    elif act is FormAction.ANSWER:
        answer = _needed(form.answer, "answer")
        detail = (form.detail or "").strip()
        records.answer_query(user, int(_needed(form.query, "query")),
                             f"{answer}: {detail}" if detail else answer)  # fmt: skip
    else:  # FormAction.CLOSE
        records.close_query(user, int(_needed(form.query, "query")))
