"""What every scheme is made of, independent of the door: ``Action`` (a button / `jifen`
command that computes a ``Result`` from input sheets) and ``Scheme`` (everything a consumer
needs to know about one scheme). Each scheme package declares one ``SCHEME``; the list of
them is ``jifen_xl.schemes.SCHEMES``.

Layer: this module sits under the scheme packages (they build their values from it) and
over ``core`` and ``book``; it imports nothing from the scheme packages, app, the documents
or the doors.
"""
from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path
from typing import TYPE_CHECKING

from ..book.sheets import OutputSheet
from ..core import normalize as nz
from ..core.problems import CHECK_COLUMNS, CHECK_SHEET, ERROR, NOTICE, REFUSED, Problem

if TYPE_CHECKING:   # the declarations import no table parsing (light start)
    from ..core.table import RawSheet


@dataclass
class Result:
    outputs: list[OutputSheet]            # 校验 first, then the action's sheets
    problems: list[Problem]
    summary: list[str] = field(default_factory=list)

    @property
    def exit_code(self) -> int:
        return 1 if any(p.level == ERROR for p in self.problems) else 0


# ------------------------------------------------------------------ lazy references (light start)

class Ref:
    """A module attribute named ``"package.module:attr"``, imported on first use.

    The declarations (each scheme package's ``__init__.py``) name their computing code this
    way, so reading them - to build the `jifen` parser, its help, the doors' tables - imports
    neither pandas nor the scheme's computing modules. Calling a Ref calls the attribute."""

    __slots__ = ("spec", "_value")

    def __init__(self, spec: str):
        if ":" not in spec:
            raise ValueError(f"a Ref is 'package.module:attr', not {spec!r}")
        self.spec = spec
        self._value = None

    def resolve(self):
        if self._value is None:
            from importlib import import_module

            module, _, attr = self.spec.partition(":")
            self._value = getattr(import_module(module), attr)
        return self._value

    def __call__(self, *args, **kwargs):
        return self.resolve()(*args, **kwargs)

    def __repr__(self) -> str:
        return f"Ref({self.spec!r})"


class LazyMap(Mapping):
    """A mapping (sheet -> headers, paper -> function) that a ``Ref`` names, read on first use."""

    __slots__ = ("ref",)

    def __init__(self, ref: Ref | str):
        self.ref = ref if isinstance(ref, Ref) else Ref(ref)

    def __getitem__(self, key):
        return self.ref.resolve()[key]

    def __iter__(self):
        return iter(self.ref.resolve())

    def __len__(self) -> int:
        return len(self.ref.resolve())

    def __or__(self, other):
        return dict(self) | dict(other)

    def __repr__(self) -> str:
        return f"LazyMap({self.ref.spec!r})"


def refs(package: str) -> Callable[[str], Ref]:
    """``ref = refs(__name__)`` in a scheme package; ``ref("actions:week")`` names
    ``<package>.actions.week``."""
    return lambda spec: Ref(f"{package}.{spec}")


# ---------------------------------------------------------------------------- actions

#: metavar of a command-line option by its kind (a Param may name its own)
METAVAR = {"date": "日期", "month": "年-月", "quarter": "季度", "year": "年度", "text": "文字"}


@dataclass(frozen=True)
class Param:
    """An option of an action: ``--name`` on the command line, the ``label`` cell of `设置`
    for the buttons (macros.py, the service), read with the same parsing (``parse_param``)."""

    name: str                     # --name
    kind: str                     # date | month | quarter | year | text | flag
    help: str                     # the command-line help
    label: str                    # the labelled cell in 设置 (计算周 …)
    note: str = ""                # the explanation beside that cell in the .xlsm template
    metavar: str = ""             # shown in `--help` (default: by kind)

    def shown_as(self) -> str:
        return self.metavar or METAVAR.get(self.kind, self.name)


@dataclass(frozen=True)
class Action:
    """One button and one `jifen` command: the single declaration every door is built from
    (the parser and its help, the xlwings scripts, the VBA Subs, the WPS ribbon, the
    LibreOffice toolbar, the service's /v1/commands)."""

    name: str                     # the `jifen` subcommand (lower-case ASCII: also a Sub/function name)
    button: str                   # the workbook button's caption
    scheme: str                   # the Scheme.name it belongs to
    sheets: Mapping[str, list[str]]   # input sheet -> headers expected (a LazyMap: read on use)
    compute: Callable[[dict[str, RawSheet], dict], Result]   # a Ref: imported on first call
    output_sheets: tuple[str, ...] = ()   # outputs read back too (学期奖励 keeps 特等 marks)
    params: tuple[Param, ...] = ()
    help: str = ""                # one line in `jifen --help`
    description: str = ""         # `jifen <command> --help`
    examples: tuple[str, ...] = ()
    writes: tuple[str, ...] = ()  # output sheets besides 校验: names, or "prefix-*" patterns

    def sheets_to_read(self) -> dict[str, list[str]]:
        return dict(self.sheets) | {name: [] for name in self.output_sheets}


def check_action(scheme: str, inputs: Mapping[str, list[str]], compute, book: str) -> Action:
    """The 校验数据 button / `jifen check` every scheme has (same caption and words; its own
    checks): ``book`` names an example workbook for the help."""
    return Action("check", "校验数据", scheme, inputs, compute,
                  help="校验数据：只检查，把问题写入“校验”表",
                  description="只校验数据：把问题写入“校验”工作表并列在屏幕上，不计算（每种工作簿都可用）。",
                  examples=(f"jifen check {book}",))


def parse_param(kind: str, value):
    """An action parameter from a command-line option or a labelled cell (same parsing for
    both doors); raises ValueError with a Chinese message."""
    if kind == "date":
        return nz.to_date(value)[0]
    if kind == "month":
        return nz.to_month(value)[0]
    if kind == "quarter":
        return nz.to_quarter(value)[0]
    if kind == "year":
        return nz.to_year(value)[0]
    if kind == "flag":
        return bool(nz.to_bool(value)[0])
    return nz.clean_text(value)[0]


def sorted_problems(problems: list[Problem]) -> list[Problem]:
    """Errors first, then refusals, then notices; within each, by sheet then row."""
    order = {ERROR: 0, REFUSED: 1, NOTICE: 2}
    sheets: dict[str, int] = {}
    for p in problems:
        sheets.setdefault(p.sheet, len(sheets))
    return sorted(problems, key=lambda p: (order.get(p.level, 3), sheets[p.sheet], p.row or 0))


def check_sheet(problems: list[Problem]) -> OutputSheet:
    rows = [p.as_row() for p in sorted_problems(problems)]
    return OutputSheet(CHECK_SHEET, CHECK_COLUMNS, rows, title="数据校验结果",
                       widths=[12, 6, 12, 18, 60, 6], landscape=True)


def finish(problems: list[Problem], make_outputs: Callable[[], tuple[list[OutputSheet], list[str]]],
           ) -> Result:
    """C-6: with any 错误 only `校验` is written; otherwise 校验 plus the outputs."""
    if any(p.level == ERROR for p in problems):
        n = sum(p.level == ERROR for p in problems)
        return Result([check_sheet(problems)], problems,
                      [f"发现 {n} 个错误，未生成结果；请按“校验”工作表逐条修改后重新运行。"])
    outputs, summary = make_outputs()
    more = [p for p in problems if p.level != ERROR]
    if more:
        summary.append(f"另有 {len(more)} 条提示/拒绝，见“校验”工作表。")
    return Result([check_sheet(problems)] + outputs, problems, summary)



def outside_span(period, span, what: str, span_name: str, option: str) -> list[Problem]:
    """An 错误 when the ``period`` a command computes lies wholly outside ``span`` (the
    semester, the workbook's 年度): an empty result would silently replace the last good one
    (``--week 2025-09-07``, a wrong year). ``option``: the 设置 label that can
    also name it (计算周 …), the column of the problem."""
    if period is None or span is None or not (period.end < span.start or period.start > span.end):
        return []
    return [Problem("设置", None, option, period.label,
                    f"要计算的{what}（{period.start.isoformat()}～{period.end.isoformat()}）不在{span_name}"
                    f"（{span.start.isoformat()}～{span.end.isoformat()}）内，没有生成结果；"
                    f"请检查日期，尤其是年份", ERROR)]


# ---------------------------------------------------------------------------------- roll-up export

ROLLUP_TABLES = ("subjects", "entries", "results", "category_scores", "villages")


def dec(v) -> Decimal | None:
    """A cell value (int / exact Decimal from ``from_cents``) as a two-place Decimal."""
    if v is None or v == "":
        return None
    return Decimal(v).quantize(Decimal("0.01"))


def cents_dec(c: int) -> Decimal:
    return Decimal(int(c)).scaleb(-2)


@dataclass
class Export:
    """What a scheme hands the roll-up (rollup/export.py) for one workbook: typed rows of the
    roll-up tables (``subjects``, ``entries``, ``results``, ``category_scores``, ``villages``
    as dicts keyed by the table's column names), the workbook row's fields, the problems and
    the lines the command prints. ``broken``: input errors, only the roster was exported."""

    problems: list[Problem]
    tables: dict[str, list[dict]] = field(default_factory=lambda: {t: [] for t in ROLLUP_TABLES})
    workbook: dict = field(default_factory=dict)    # title, year, as_of, final, notice_start, notice_end
    summary: list[str] = field(default_factory=list)
    broken: bool = False


# ------------------------------------------------------------------ reading cells for papers

def records(raw: RawSheet | None) -> list[dict]:
    """A raw sheet's rows as dicts keyed by header (the printed papers read sheets loosely)."""
    if raw is None:
        return []
    return [dict(zip(raw.header, r)) for r in raw.rows]


def cell_date(v) -> date | None:
    """A date cell, or None when empty or unreadable."""
    if isinstance(v, datetime):
        return v.date()
    if isinstance(v, date):
        return v
    if v is None or (isinstance(v, str) and not v.strip()):
        return None
    try:
        d, _ = nz.to_date(v)
    except (ValueError, TypeError):
        return None
    return d


def cell_text(v) -> str:
    return "" if v is None else nz.clean_text(v)[0]


# ---------------------------------------------------------------------------------- the scheme

DemoRun = list[tuple[Path, list[tuple[str, dict]]]]   # (workbook, [(command, options), …])


@dataclass(frozen=True)
class PrintJob:
    """One PDF `jifen demo` prints from the scheme's demo workbook (``报表/<stem>-<label>.pdf``).
    ``layouts``: sheet names, special layouts (家长通知单, 奖状) or ``prefix*`` patterns."""

    layouts: tuple[str, ...]
    label: str


@dataclass(frozen=True)
class PaperSource:
    """Where a printed paper (`jifen print NAME`) gets its rows: the output ``sheet`` of
    ``command`` (a name, or a prefix ending in "-"), computed from the input sheets. A name
    ``<paper>-<suffix>`` gives the option ``param`` (e.g. 奖状-2026 → year 2026); ``options``
    are fixed ones. ``layout`` names the printed form (papers/layouts.py); ``final_only``
    papers are refused while the result is 暂定/预公示 (C-8); ``card`` names the columns of
    a 积分卡: (id, name, total, rank)."""

    command: str
    sheet: str
    layout: str
    param: str = ""
    options: tuple[tuple[str, object], ...] = ()
    final_only: bool = False
    card: tuple[str, str, str, str] = ()


@dataclass(frozen=True)
class Scheme:
    """One points scheme (school, village, ledger), declared once in its package's
    ``__init__.py``. Everything heavy (computing, templates, demo, export) is a ``Ref`` or a
    ``LazyMap``: the declaration itself imports no pandas (README, "Light start")."""

    name: str                                   # "school": Action.scheme, rollup `scheme` column
    label: str                                  # "班级积分": what a clerk calls the workbook
    template_kind: str                          # `jifen new <kind>`
    # detection (app.detect_scheme, the WPS add-in's table): the sheets that identify this
    # scheme's workbook, and which of them other schemes may use too (名册 …: weaker evidence)
    identify: tuple[str, ...]
    inputs: Mapping[str, list[str]]             # input sheet -> headers it reads (a LazyMap)
    actions: tuple[Action, ...]
    template_sheets: Callable[[], list]         # () -> [TemplateSheet] (book.template_spec)
    template_file: str                          # workbook_templates/<file>.xlsx
    xlsm_file: str                              # workbook_templates/<file>.xlsm
    demo: Callable[[Path], DemoRun]             # writes the demo workbook(s) into a folder
    shared: tuple[str, ...] = ()                # of ``identify``: names other schemes use too
    description: str = ""                       # who uses it and what it computes (`jifen new --help`)
    example_file: str = ""                      # a workbook name for the help's examples
    charts: dict[str, Callable[[list[str]], list]] = field(default_factory=dict)  # sheet or "prefix-" -> specs
    print_jobs: tuple[PrintJob, ...] = ()       # the demo's PDFs
    export: Callable[[dict, bool, int | None], Export] | None = None   # (sheets, with_names, year): roll-up
    # data behind the printed papers of `jifen print` (documents.py): paper -> fn(input sheets) -> rows
    papers: Mapping[str, Callable[[dict], object]] = field(default_factory=dict)
    # printed papers made from an output sheet of an action (`jifen print`): paper -> source
    paper_sources: dict[str, PaperSource] = field(default_factory=dict)

    def action(self, command: str) -> Action | None:
        return next((a for a in self.actions if a.name == command), None)

    def detect_score(self, names: set[str]) -> tuple[int, int]:
        """(distinctive sheets present, shared sheets present): app.detect_scheme picks the
        highest score above (0, 0); the WPS add-in's logic.js computes the same."""
        present = [n for n in self.identify if n in names]
        shared = sum(n in self.shared for n in present)
        return len(present) - shared, shared
