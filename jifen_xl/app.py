"""Actions: what each button / `jifen` command does, independent of the door.

An action names the input sheets it reads and computes output sheets from them. The file
door (cli.py) reads those sheets with calamine and writes with the package writer; the
xlwings door (macros.py) reads them from the open Book and writes through xlwings. Both call
``Action.compute`` — the same pure code — so the two doors cannot disagree.
"""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from .book.sheets import OutputSheet
from .core.problems import CHECK_COLUMNS, CHECK_SHEET, ERROR, NOTICE, REFUSED, Problem
from .core.table import RawSheet


@dataclass
class Result:
    outputs: list[OutputSheet]            # 校验 first, then the action's sheets
    problems: list[Problem]
    summary: list[str] = field(default_factory=list)

    @property
    def exit_code(self) -> int:
        return 1 if any(p.level == ERROR for p in self.problems) else 0


@dataclass(frozen=True)
class Action:
    name: str                     # the `jifen` subcommand
    button: str                   # the workbook button
    scheme: str                   # school | village | ledger
    sheets: dict[str, list[str]]  # input sheet -> headers expected (to find the header row)
    compute: Callable[[dict[str, RawSheet], dict], Result]
    output_sheets: tuple[str, ...] = ()   # outputs read back too (学期奖励 keeps 特等 marks)
    # command-line parameters: (name, kind, help); kind: date | month | quarter | year | text | flag.
    # The xlwings door reads the same names from a labelled cell (see macros.py).
    params: tuple[tuple[str, str, str], ...] = ()

    def sheets_to_read(self) -> dict[str, list[str]]:
        return dict(self.sheets) | {name: [] for name in self.output_sheets}


def parse_param(kind: str, value):
    """An action parameter from a command-line option or a labelled cell (same parsing for
    both doors); raises ValueError with a Chinese message."""
    from .core import normalize as nz

    if kind == "date":
        return nz.to_date(value)[0]
    if kind == "month":
        return nz.to_month(value)[0]
    if kind == "quarter":
        return nz.to_quarter(value)[0]
    if kind == "year":
        return int(nz.to_decimal(value)[0])
    if kind == "flag":
        return bool(nz.to_bool(value)[0])
    return nz.clean_text(value)[0]


ACTIONS: dict[tuple[str, str], Action] = {}   # (command, scheme) -> action


def register(action: Action) -> Action:
    ACTIONS[(action.name, action.scheme)] = action
    return action


def find_action(command: str, sheet_names: list[str]) -> Action | None:
    """The action for `command`; when several schemes have it (check), the workbook decides."""
    load_actions()
    candidates = [a for (name, _), a in ACTIONS.items() if name == command]
    scheme = detect_scheme(sheet_names)
    if len(candidates) == 1 and scheme is None:
        return candidates[0]      # let the action report the missing sheets
    for a in candidates:
        if a.scheme == scheme:
            return a
    return None


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


def detect_scheme(sheet_names: list[str]) -> str | None:
    names = set(sheet_names)
    if "账户" in names or "申报" in names:
        return "ledger"
    if "农户名册" in names or "评议记录" in names:
        return "village"
    if "名册" in names or "日志" in names:
        return "school"
    return None


def load_actions() -> dict[str, Action]:
    """Import every scheme's action module so that it registers itself."""
    from .schemes.school import actions as school_actions  # noqa: F401
    from .schemes.school import dorms, exams, exam_actions  # noqa: F401
    from .schemes.village import actions as village_actions  # noqa: F401
    from .schemes.ledger import actions as ledger_actions  # noqa: F401
    return ACTIONS
