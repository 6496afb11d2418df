"""Outputs are byte-identical to the recorded ones (issue #13: restructuring changes no
behaviour). The digests in tests/output_digests.json were recorded with the code before the
restructuring; see tests/identity.py for what is digested and how to regenerate the file
when an output change is intentional (say so in the commit message).

The 200,000-row bench workbook is proved by ``make identity`` (about a minute, too slow for
every test run); here: the three demo workbooks and the 20k-row school and village bench
workbooks.
"""
from __future__ import annotations

import json

import identity


def test_demo_workbooks_are_byte_identical(demo_dir):
    expected = json.loads(identity.DIGESTS.read_text("utf-8"))
    expected = {k: v for k, v in expected.items() if k.startswith("demo/")}
    assert expected, "no recorded demo digests"
    assert identity.compare(expected, identity.demo_digests(demo_dir)) == []


def test_bench_workbooks_are_byte_identical(tmp_path):
    expected = json.loads(identity.DIGESTS.read_text("utf-8"))
    expected = {k: v for k, v in expected.items() if k.split("|")[0].removeprefix("bench/") in identity.BENCH_BOOKS}
    assert expected, "no recorded bench digests"
    assert identity.compare(expected, identity.bench_digests(tmp_path, identity.BENCH_BOOKS)) == []
