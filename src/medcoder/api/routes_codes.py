"""POST /v1/code and the code-set routes: the same functions ``medcoder code`` and
``medcoder codes ...`` call, with the same JSON forms."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any

from fastapi import APIRouter, Query, Request

from medcoder import settings
from medcoder.api.auth import Actor
from medcoder.api.routes_auth import services
from medcoder.api.schemas import CodeRequest
from medcoder.api.search import procedure_hits
from medcoder.codesets import serialize
from medcoder.codesets.index_walk import IndexNavigator
from medcoder.codesets.registry import Registry
from medcoder.codesets.store import Release
from medcoder.codesets.tables import DRUG_COLUMNS, NEOPLASM_COLUMNS, lookup_table
from medcoder.codesets.validate import validate
from medcoder.errors import InvalidInputError, MissingComponentError
from medcoder.kinds import CodeSystem
from medcoder.pipeline import make_document
from medcoder.serialize import result_json

router = APIRouter(prefix="/v1", tags=["coding and code sets"])

ReleaseName = Annotated[str | None, Query(max_length=40, description="e.g. icd10cm-2026-04")]
ServiceDate = Annotated[dt.date | None, Query(description="Date of service: picks the release")]


def _choose(registry: Registry, release: str | None, day: dt.date | None) -> Release:
    return registry.choose(name=release, day=day)


@router.post("/code")
def code_note(body: CodeRequest, _actor: Actor, request: Request) -> dict[str, Any]:
    """Code a note: the result ``medcoder code --format json`` prints (nothing is stored)."""
    svc = services(request)
    document = make_document(
        body.text,
        setting=body.setting,
        date_of_service=body.date,
        age=body.age,
        sex=body.sex,
        id=body.id,
        patient_status=body.patient_status,
    )

    def work(_registry: Registry) -> dict[str, Any]:
        engine = svc.engine(external_causes=body.external_causes)
        budget = settings.code_time_budget()
        return result_json(engine.code(document, release_name=body.release, time_budget=budget))

    return svc.with_codesets(work)


@router.get("/releases")
def releases(_actor: Actor, request: Request) -> list[dict[str, Any]]:
    """Installed code-set releases with effective dates and sources."""
    return services(request).with_codesets(
        lambda reg: [serialize.release_info(i) for i in reg.available()]
    )


@router.get("/releases/diff")
def release_diff(
    old: Annotated[str, Query(max_length=40)],
    new: Annotated[str, Query(max_length=40)],
    _actor: Actor,
    request: Request,
) -> dict[str, Any]:
    """Codes added, deleted and retitled, and notes changed, from ``old`` to ``new``."""
    return services(request).release_diff(old, new)


@router.get("/codes/search")
def search(
    q: Annotated[str, Query(min_length=1, max_length=200)],
    _actor: Actor,
    request: Request,
    limit: Annotated[int, Query(ge=1, le=500)] = 20,
    release: ReleaseName = None,
    date: ServiceDate = None,
    system: Annotated[
        CodeSystem, Query(description="The system to search: ICD-10-CM unless named")
    ] = CodeSystem.ICD10CM,
) -> list[dict[str, Any]]:
    """Codes matching ``q``, best first (type-ahead): a code number or its first
    characters lists those codes first (E11.42; W00 and its billable codes, complete),
    then titles, inclusion terms and index terms holding the words, in any order.
    ``system`` icd10pcs, hcpcs: that system's codes and titles in force on ``date``; cpt:
    CPT numbers only (the AMA's descriptors are not shipped)."""
    svc = services(request)
    if system is not CodeSystem.ICD10CM:
        return procedure_hits(svc.engine().chooser, system, q, date, limit)

    def work(reg: Registry) -> list[dict[str, Any]]:
        hits = _choose(reg, release, date).search(q, limit)
        return [
            {
                "code": h.code,
                "title": h.title,
                "billable": h.billable,
                "source": h.source,
                "matched": h.matched,
                "score": round(h.score, 3),
                "system": CodeSystem.ICD10CM.value,
            }
            for h in hits
        ]

    return svc.with_codesets(work)


@router.get("/codes/{code}")
def show_code(
    code: str,
    _actor: Actor,
    request: Request,
    release: ReleaseName = None,
    date: ServiceDate = None,
) -> dict[str, Any]:
    """A code's title, hierarchy, notes (inherited ones marked) and 7th characters."""
    return services(request).with_codesets(
        lambda reg: serialize.code_detail(_choose(reg, release, date), code)
    )


@router.get("/codes/{code}/validation")
def validate_code(
    code: str,
    _actor: Actor,
    request: Request,
    release: ReleaseName = None,
    date: ServiceDate = None,
) -> dict[str, Any]:
    """Whether ``code`` is valid for reporting in the release, and why not."""
    return services(request).with_codesets(
        lambda reg: serialize.validation(validate(_choose(reg, release, date), code))
    )


@router.get("/index")
def walk_index(
    path: Annotated[str, Query(min_length=1, max_length=500, examples=["Diabetes, type 2"])],
    _actor: Actor,
    request: Request,
    book: Annotated[str, Query(pattern="^(index|eindex)$")] = "index",
    release: ReleaseName = None,
    date: ServiceDate = None,
) -> dict[str, Any]:
    """Walk the Alphabetic Index (or the Index to External Causes) along ``path``."""

    def work(reg: Registry) -> dict[str, Any]:
        chosen = _choose(reg, release, date)
        if book not in chosen.books():
            raise MissingComponentError(f"{chosen.name} has no {book} book")
        return serialize.index_result(IndexNavigator.for_release(chosen).walk(path, book))

    return services(request).with_codesets(work)


def _table(
    request: Request, table: str, columns: dict[str, int], query: str, column: str,
    release: str | None, date: dt.date | None,
) -> dict[str, Any]:  # fmt: skip
    if column not in columns:
        raise InvalidInputError(
            f"{column!r} is not a column of the {table} table", hint=f"use {', '.join(columns)}"
        )
    return services(request).with_codesets(
        lambda reg: serialize.table_result(
            lookup_table(_choose(reg, release, date), table, query, column)
        )
    )


@router.get("/tables/neoplasm")
def neoplasm(
    site: Annotated[str, Query(min_length=1, max_length=300)],
    behavior: Annotated[str, Query(max_length=40, description=", ".join(NEOPLASM_COLUMNS))],
    _actor: Actor,
    request: Request,
    release: ReleaseName = None,
    date: ServiceDate = None,
) -> dict[str, Any]:
    """Neoplasm Table: the row for ``site`` and the code in the ``behavior`` column."""
    return _table(request, "neoplasm", NEOPLASM_COLUMNS, site, behavior, release, date)


@router.get("/tables/drug")
def drug(
    substance: Annotated[str, Query(min_length=1, max_length=300)],
    intent: Annotated[str, Query(max_length=40, description=", ".join(DRUG_COLUMNS))],
    _actor: Actor,
    request: Request,
    release: ReleaseName = None,
    date: ServiceDate = None,
) -> dict[str, Any]:
    """Table of Drugs and Chemicals: the row for ``substance``, the ``intent`` column."""
    return _table(request, "drug", DRUG_COLUMNS, substance, intent, release, date)
