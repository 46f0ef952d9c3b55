"""``medcoder queue --mine|--next`` and ``medcoder review ENC take|release|assign``
(issue 16, part 4), and ``medcoder query`` (part 7), through the records service."""

from __future__ import annotations

import json

from click.testing import CliRunner

from medcoder.cli import main
from medcoder.records.service import Records


def _run(*args: str) -> tuple[int, str]:
    done = CliRunner().invoke(main, list(args))
    return done.exit_code, done.output


def test_cli_assignment_and_locks(coded: Records) -> None:
    coded.add_user("root", "cole", "coder")
    code, out = _run("review", "--user", "cora", "E-100", "take")
    assert code == 0 and "held by cora until" in out, out
    code, out = _run("review", "--user", "cole", "E-100", "accept", "E11.9")
    assert code == 2 and out.startswith("error[E408]: encounter E-100 is being worked by cora")
    code, out = _run("queue", "--user", "cole")
    assert code == 0 and "held by cora until" in out, out
    rows = json.loads(_run("queue", "--user", "cole", "--format", "json")[1])
    assert rows[0]["locked_by"] == "cora" and rows[0]["locked_until"]
    code, out = _run("review", "--user", "mia", "E-100", "release", "--force")
    assert code == 2 and "E405" in out  # a reason is required
    code, out = _run("review", "--user", "mia", "E-100", "release", "--force",
                     "--reason", "cora is out")  # fmt: skip
    assert code == 0 and "held by nobody" in out, out
    code, out = _run("review", "--user", "mia", "E-100", "assign", "cole")
    assert code == 0 and "assigned to cole" in out, out
    assert "E-100" in _run("queue", "--user", "cole", "--mine")[1]
    assert "empty" in _run("queue", "--user", "cora", "--mine")[1]
    code, out = _run("review", "--user", "mia", "E-100", "assign", "--none")
    assert code == 0 and "assigned to nobody" in out
    code, out = _run("queue", "--user", "cora", "--next")
    assert code == 0 and out.startswith("E-100: assigned to you, held until"), out
    code, out = _run("queue", "--user", "cole", "--next")
    assert code == 0 and "no unassigned encounter" in out
    code, out = _run("review", "--user", "cora", "E-100", "release")
    assert code == 0 and "held by nobody; assigned to cora" in out, out


def test_cli_queries(coded: Records) -> None:
    code, out = _run("query", "--user", "cora", "templates")
    assert code == 0 and "acuity" in out and "clinical_validity" in out
    code, out = _run("query", "--user", "cora", "ask", "E-100", "--template", "specificity",
                     "--code", "E11.9", "--hold")  # fmt: skip
    assert code == 0 and "query 1 sent (holds finalize)" in out, out
    listed = json.loads(_run("query", "--user", "cora", "list", "--format", "json")[1])
    assert listed[0]["code"] == "E11.9" and listed[0]["status"] == "open"
    assert "diabetes" in listed[0]["question"].lower()  # the code's evidence is quoted
    code, out = _run("query", "--user", "cora", "ask", "E-100", "--template", "acuity",
                     "--dropped", "Q99.9")  # fmt: skip
    assert code == 2 and "E404" in out and "dropped candidates" in out
    assert "no query matches" in _run("query", "--user", "cora", "list", "--status", "closed")[1]
    assert "E-100" in _run("query", "--user", "cora", "list", "--encounter", "E-100")[1]
    code, out = _run("query", "--user", "cora", "answer", "1", "--answer", "Type 2, with CKD")
    assert code == 0 and "answered" in out
    shown = _run("query", "--user", "cora", "list", "--status", "answered")[1]
    assert "A: Type 2, with CKD" in shown
    assert _run("query", "--user", "cora", "close", "1", "--reason", "acted on")[0] == 0
    report = json.loads(_run("query", "--user", "mia", "report", "--format", "json")[1])
    assert report["total"] == 1 and report["answered"] == 1
    assert report["by_template"]["specificity"]["closed"] == 1
    code, out = _run("query", "--user", "mia", "report")
    assert code == 0 and "1 queries, 0 open, 1 answered" in out
