"""What a printed paper is made from: the typed results of the workbook's actions, computed
from its input sheets (never output sheets read back), and the reason a paper is refused.

A name asked of `jifen print` resolves, for the workbook's scheme, to
* a ``Scheme.paper_sources`` entry (家长通知单, 奖状, 存折, 积分卡 …): an output sheet of one
  action and a layout; ``<paper>-<suffix>`` gives the entry's option (奖状-2026 → year);
* a ``Scheme.papers`` entry (家长通知书, 公示栏, 奖分通知单, 分类排名): rows the scheme
  computes from the input sheets;
* any output sheet of an action (周汇总, 月报, 公示-2026Q3, 星级评定-2026 …): the action
  that writes it is run — a suffix after "-" is its period option — and the sheet is printed
  in the layout the sheet carries (``OutputSheet.layout``).
"""
from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from ..book.sheets import OutputSheet
from ..core.problems import ERROR, InputError
from ..core.table import RawSheet, settings_cells

SETTINGS = "设置"
PERIOD_KINDS = ("quarter", "year", "month", "date", "text")


@dataclass
class Paper:
    """One name asked: the layout and the typed rows it prints."""

    name: str
    layout: str
    sheets: list[OutputSheet] = field(default_factory=list)
    settings: dict = field(default_factory=dict)
    suffix: str = ""
    card: tuple = ()
    rows: object = None          # Scheme.papers result (家长通知书 …)


class Refused(Exception):
    """A paper that cannot be printed now, with the reason for the clerk (Chinese)."""

    def __init__(self, name: str, reason: str):
        super().__init__(reason)
        self.name = name
        self.reason = reason


# --------------------------------------------------------------------------- where sheets come from

class SheetBook:
    """The input sheets of one workbook: a file (read with calamine) or the cells a client
    posted (``grids``: sheet -> rows, as the service receives them)."""

    def __init__(self, path: Path | None = None, read=None, names: list[str] | None = None, check=None):
        self.path = path
        self._read = read
        self._check = check           # refuses input beyond the reader's limits, up front
        self.names = list(names or [])
        self._cache: dict[tuple, RawSheet | None] = {}

    @classmethod
    def open(cls, source) -> "SheetBook":
        from ..book.reader import WorkbookReader

        if isinstance(source, SheetBook):
            return source
        path = Path(source)
        reader = WorkbookReader(path)
        book = cls(path, reader.sheet, reader.sheet_names, reader.check_limits)
        book._reader = reader
        return book

    def close(self) -> None:
        reader = getattr(self, "_reader", None)
        if reader is not None:
            reader.__exit__(None, None, None)

    def sheets(self, wanted: dict[str, list[str]]) -> dict[str, RawSheet | None]:
        if self._check is not None:
            self._check(wanted)
        out = {}
        for name, expected in wanted.items():
            key = (name, tuple(expected))
            if key not in self._cache:
                self._cache[key] = self._read(name, list(expected)) if name in self.names else None
            out[name] = self._cache[key]
        return out

    def settings(self) -> dict:
        raw = self.sheets({SETTINGS: ["项目", "值"]})[SETTINGS]
        return {key: value for key, (value, _row) in settings_cells(raw).items()}


# --------------------------------------------------------------------------- resolving a name

class Resolver:
    """Names → Papers for one workbook; each action computed at most once per option set."""

    def __init__(self, book: SheetBook):
        from ..app import detect_scheme, scheme_named

        self.book = book
        name = detect_scheme(book.names)
        self.scheme = scheme_named(name) if name else None
        if self.scheme is None:
            raise InputError("这个工作簿不是积分工作簿（没有“名册”“日志”“评议记录”或“账户”等工作表），无法打印。")
        self.settings = book.settings()
        self._results: dict[tuple, object] = {}

    def result(self, command: str, opts: dict):
        key = (command, tuple(sorted(opts.items())))
        if key not in self._results:
            action = self.scheme.action(command)
            self._results[key] = action.compute(self.book.sheets(action.sheets_to_read()), dict(opts))
        res = self._results[key]
        if res.exit_code:
            errors = sum(p.level == ERROR for p in res.problems)
            raise Refused("", f"工作簿有 {errors} 个错误，请先运行“校验数据”（jifen check）并按“校验”表改正后再打印")
        return res

    def _option(self, action, param: str, suffix: str) -> dict:
        from ..schemes.base import parse_param

        kind = next((p.kind for p in action.params if p.name == param), None)
        if kind is None or not suffix:
            return {}
        try:
            return {param: parse_param(kind, suffix)}
        except (ValueError, TypeError):
            raise Refused("", f"“{suffix}”不是有效的{param}") from None

    def paper(self, name: str) -> Paper:
        try:
            return self._paper(name)
        except Refused as exc:
            raise Refused(name, exc.reason) from None

    def _paper(self, name: str) -> Paper:
        base, _, suffix = name.partition("-")
        scheme = self.scheme
        if base in scheme.paper_sources:
            return self._from_source(name, base, suffix)
        if name in scheme.papers or (base in scheme.papers and base == "奖分通知单"):
            wanted: dict[str, list[str]] = {}
            for a in scheme.actions:
                wanted |= a.sheets_to_read()
            rows = scheme.papers[base](self.book.sheets(wanted))
            return Paper(name, base, settings=self.settings, suffix=suffix, rows=rows)
        return self._output_sheet(name)

    def _from_source(self, name: str, base: str, suffix: str) -> Paper:
        src = self.scheme.paper_sources[base]
        action = self.scheme.action(src.command)
        opts = (dict(src.options) | (self._label_flags(action) if src.final_only else {})
                | (self._option(action, src.param, suffix) if src.param else {}))
        res = self.result(src.command, opts)
        if src.sheet.endswith("-"):
            sheets = [o for o in res.outputs if o.name.startswith(src.sheet)]
        else:
            sheets = [o for o in res.outputs if o.name == src.sheet]
        if src.final_only:
            shown = sheets or [o for o in res.outputs if o.status]
            not_final = next((o for o in shown if o.provisional), None)
            if not_final is not None or not sheets:
                why = f"（{not_final.why}）" if not_final is not None and not_final.why else ""
                state = not_final.status if not_final is not None else "预公示"
                raise Refused(name, f"结果是{state}{why}，{base}只在正式结果后打印："
                                    + ("日志记到学期结束后重新运行“学期奖励”（jifen awards）再打印；学期最后一天没有记录的，"
                                       "学期结束后在“设置”的“正式结果”填“是”再打印"
                                       if state == "暂定" else "公示期满无异议、生成正式结果后再打印"))
        if not sheets:
            raise Refused(name, f"没有可打印的{base}数据")
        return Paper(name, src.layout, sheets, self.settings, suffix if not src.param else "", src.card)

    def _output_sheet(self, name: str) -> Paper:
        """Run the action that writes ``name`` (its suffix the period option) and take that sheet."""
        base, _, suffix = name.partition("-")
        not_final = None
        for action in self._writers(name):
            tries = [self._label_options(action)]
            if suffix:
                tries = []
                for p in action.params:
                    if p.kind in PERIOD_KINDS:
                        try:
                            tries.append(self._option(action, p.name, suffix))
                        except Refused:
                            continue
            for opts in tries:
                try:
                    res = self.result(action.name, opts)
                except Refused:
                    raise
                except InputError:
                    continue
                found = next((o for o in res.outputs if o.name == name), None)
                if found is not None:
                    return Paper(name, found.layout or "table", [found], self.settings)
                if suffix and not_final is None:
                    not_final = next((o for o in res.outputs if o.provisional), None)
        if not_final is not None:       # e.g. 星级评定 exists only for a final year (C-8)
            raise Refused(name, f"{not_final.period} 的结果还是{not_final.status}，这张表只在正式结果（公示期满无异议）后生成")
        raise Refused(name, "不是这个工作簿能生成的工作表或文书；可打印的有：" + "、".join(self.printable()))

    def _writers(self, name: str) -> list:
        """The actions declared to write ``name`` (``Action.writes``: a name or "prefix-*");
        every action but check when none declares it."""
        def writes(action) -> bool:
            return any(name == w or (w.endswith("*") and name.startswith(w[:-1])) for w in action.writes)
        acts = [a for a in self.scheme.actions if a.name != "check"]
        return [a for a in acts if writes(a)] or acts

    def _label_options(self, action) -> dict:
        """The period options from the labelled cells of 设置 (计算周, 计算月份 …), as the
        buttons read them; an unreadable cell is left to the default (the button reports it)."""
        from ..schemes.base import parse_param

        opts = {}
        for p in action.params:
            value = self.settings.get(p.label) if p.label else None
            if p.kind not in PERIOD_KINDS or p.kind == "text" or value is None or str(value).strip() == "":
                continue
            try:
                opts[p.name] = parse_param(p.kind, value)
            except (ValueError, TypeError):
                continue
        return opts

    def _label_flags(self, action) -> dict:
        """The action's yes/no options whose labelled 设置 cell says 是 (正式结果: a semester
        closed by hand), as the buttons read them, for the papers printed only when final."""
        from ..schemes.base import parse_param

        opts = {}
        for p in action.params:
            value = self.settings.get(p.label) if p.label else None
            if p.kind != "flag" or value is None:
                continue
            try:
                if parse_param("flag", value):
                    opts[p.name] = True
            except (ValueError, TypeError):
                continue
        return opts

    def printable(self) -> list[str]:
        """Papers this workbook's scheme can print (shown when a name is refused)."""
        s = self.scheme
        writes = [w.replace("*", "…") for a in s.actions for w in a.writes]     # 公示-… (a period after the dash)
        return list(dict.fromkeys(list(s.paper_sources) + list(s.papers) + writes))
