"""Issue #15, ledger side (SPEC L-3): a grid worker's first check (网格员初审) must establish
the time, place and cause of the deed; evidence is only "有条件的" (optional)."""
from __future__ import annotations

from datetime import date

from test_ledger import CLAIM_HEADER, claim, problems_at, with_claims
from jifen_xl.core.problems import ERROR

WHERE = CLAIM_HEADER.index("时间地点事由")
EVIDENCE = CLAIM_HEADER.index("证据")


def test_first_check_without_time_place_cause_is_an_error_L3():
    row = claim(1, "A01", "R01", date(2026, 3, 10))
    row[WHERE] = None
    data = with_claims(row)
    assert problems_at(data, 2) == {("时间地点事由", ERROR)}
    assert data.entries.empty                                # not counted


def test_claim_before_first_check_needs_no_time_place_cause_yet_L3():
    row = claim(1, "A01", "R01", date(2026, 3, 10), upto=1, result=None)   # only 申报 so far
    row[WHERE] = None
    assert problems_at(with_claims(row), 2) == set()


def test_evidence_is_optional_L3():
    row = claim(1, "A01", "R01", date(2026, 3, 10))
    row[EVIDENCE] = None
    data = with_claims(row)
    assert problems_at(data, 2) == set() and len(data.entries) == 1
