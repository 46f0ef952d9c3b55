"""The encounter page in one read (issue 16, part 4): the encounter with its PHI, the
newest coding run (the engine's reasons and dropped candidates), the history, the claim
check and the physician queries, in one transaction under one audited event.

Each audited read is a transaction whose commit is synced and whose audit head is
anchored outside the database (``audit.py``): the page paid that three times when it
read the encounter, its runs and the rest apart. The one event still names every PHI
field opened (``fields``) and every record read besides the encounter (``also``), so the
trail says as much as the three events did.
"""

from __future__ import annotations

from dataclasses import dataclass

from medcoder.errors import MedcoderError
from medcoder.records.claim_panel import ClaimCheck, ClaimPanelMixin
from medcoder.records.coding_runs import CodingRunsMixin, RunView
from medcoder.records.history import HistoryEvent
from medcoder.records.queries import QueryView
from medcoder.records.queue import PHI_FIELDS, EncounterView, QueueMixin

#: The records the page's one event covers besides the encounter itself.
PAGE_ALSO = ("coding_runs", "history", "claim_check", "queries")


@dataclass(frozen=True, slots=True)
class EncounterPage:
    """What the encounter page shows, read at one moment."""

    view: EncounterView
    run: RunView | None  # the newest coding run; None before the first
    history: list[HistoryEvent]
    check: ClaimCheck | MedcoderError  # a claim check that could not run: its error
    queries: list[QueryView]


class EncounterPageMixin(CodingRunsMixin, QueueMixin, ClaimPanelMixin):
    """The encounter page's read."""

    def encounter_page(self, actor: str | None, encounter_id: str) -> EncounterPage:
        """Everything the encounter page (and each of its fragments) shows, as one
        audited read of the encounter's PHI."""
        with self._reading(
            actor, encounter_id, "encounter", fields=list(PHI_FIELDS), also=list(PAGE_ALSO)
        ) as (session, encounter):
            view = self._encounter_view(encounter)
            runs = self._run_views(session, encounter, limit=1)
            history, check, queries = self._review_extras(session, encounter)
            return EncounterPage(view, runs[0] if runs else None, history, check, queries)
