"""The local service door: `jifen serve` (WORKBOOKS.md "The local service").

A few Starlette route functions over the same ``Action.compute`` the command line and the
xlwings buttons run: a client inside an office suite (the LibreOffice extension, the WPS
add-in) posts the sheets of the open workbook as JSON and writes back the returned output
sheets with their render spec (book/render_spec.py). No scoring logic lives here.

Security (a local service is reachable by every web page the clerk opens):
* it binds 127.0.0.1 only and refuses any other address;
* every run needs the token kept 0600 in the user's configuration folder;
* the ``Host`` header must be ``127.0.0.1:<port>`` or ``localhost:<port>`` (DNS rebinding);
* CORS only for the origins of our own clients (``ALLOWED_ORIGINS``), never ``*``;
* bodies over 64 MB are refused (413) before they are read whole; within that, a request is
  read as a stream of rows (``parse_payload``): a sheet or a request beyond the input limits
  of ``book/limits.py`` (rows per sheet, cells per sheet and per request, counted over the
  sheets the command reads) is refused (413) before its cells become Python objects, and
  sheets the command does not read are never decoded;
* no ``/v1`` endpoint reads or writes a file: sheets in, sheets out (积分助手's ``/ui`` page,
  put in front by ``serve(wrap=…)``, works on files in the chosen folders behind a login).

Two buttons pressed on one workbook run one after the other: runs are serialised per
workbook key — the ``workbook`` field a client sends (e.g. the document's URL), else a
digest of the posted sheet names and the `设置` sheet — and at most ``MAX_PARALLEL`` runs
compute at once.
"""
from __future__ import annotations

import hashlib
import hmac
import json
import math
import os
import re
import secrets
import sys
import threading
from datetime import date, datetime, timedelta
from pathlib import Path

DEFAULT_PORT = 39800
LOOPBACK = "127.0.0.1"
MAX_BODY = 64 * 1024 * 1024
TOKEN_HEADER = "X-Jifen-Token"
# Origins of our clients: LibreOffice's Python sends none; a page loaded from a file or a
# sandboxed add-in frame sends "null"; the WPS add-in's origins are added by its installer's
# contract (WORKBOOKS.md) — see jifen_xl/wps if present.
ALLOWED_ORIGINS: list[str] = ["null"]
MAX_PARALLEL = max(2, min(4, os.cpu_count() or 2))

_ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
_ISO_DATETIME = re.compile(r"\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(:\d{2}(\.\d{1,6})?)?")
_EXCEL_EPOCH = datetime(1899, 12, 30)


MAX_PORT = 65535


def port_number(text: str) -> int:
    """``--port``: a whole number 0–65535 (argparse shows the message as a usage error, exit 2).
    0 means "any free port" and is accepted only by a plain `jifen serve` (see run)."""
    import argparse

    try:
        port = int(str(text).strip())
    except ValueError:
        port = -1
    if not 0 <= port <= MAX_PORT:
        raise argparse.ArgumentTypeError(f"端口应为 1–{MAX_PORT} 之间的整数，“{text}”不是")
    return port


class ServiceError(Exception):
    """A refusal with an HTTP status and a Chinese message for the clerk."""

    def __init__(self, status: int, message: str):
        super().__init__(message)
        self.status = status
        self.message = message


# --------------------------------------------------------------------------- token

def config_dir() -> Path:
    """``%APPDATA%\\jifen`` on Windows, else ``$XDG_CONFIG_HOME/jifen`` (default ~/.config/jifen)."""
    if os.name == "nt":
        base = os.environ.get("APPDATA") or str(Path.home() / "AppData" / "Roaming")
    else:
        base = os.environ.get("XDG_CONFIG_HOME") or str(Path.home() / ".config")
    return Path(base) / "jifen"


def token_path() -> Path:
    return config_dir() / "token"


def ensure_token() -> str:
    """The service token, created on first use (random, readable by the user alone)."""
    path = token_path()
    path.parent.mkdir(parents=True, exist_ok=True)
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        token = path.read_text(encoding="ascii").strip()
        if os.name != "nt" and (path.stat().st_mode & 0o077):
            os.chmod(path, 0o600)
        if token:
            return token
        fd = os.open(path, os.O_WRONLY | os.O_TRUNC, 0o600)
    token = secrets.token_urlsafe(32)
    with os.fdopen(fd, "w", encoding="ascii") as fh:
        fh.write(token + "\n")
    return token


# --------------------------------------------------------------------------- request → RawSheets

def _date_kinds() -> tuple[set[str], set[str]]:
    """Headers of date columns and 设置 keys of date settings, from the schemes' schemas."""
    from . import app
    from .core.table import Col, Setting

    app.load_computing()
    headers: set[str] = set()
    keys: set[str] = set()
    for name, module in list(sys.modules.items()):
        if not name.startswith("jifen_xl.schemes") or module is None:
            continue
        for value in vars(module).values():
            if isinstance(value, (list, tuple)):
                for item in value:
                    if isinstance(item, Col) and item.kind == "date":
                        headers.add(item.header)
                    elif isinstance(item, Setting) and item.kind == "date":
                        keys.add(item.key)
    return headers, keys


_DATE_KINDS: tuple[set[str], set[str]] | None = None


def date_kinds() -> tuple[set[str], set[str]]:
    global _DATE_KINDS
    if _DATE_KINDS is None:
        _DATE_KINDS = _date_kinds()
    return _DATE_KINDS


def _iso(text: str):
    """A date/datetime for an ISO string, else the text unchanged."""
    if len(text) == 10 and _ISO_DATE.fullmatch(text):
        try:
            return date.fromisoformat(text)
        except ValueError:
            return text
    if 16 <= len(text) <= 26 and _ISO_DATETIME.fullmatch(text):
        try:
            return datetime.fromisoformat(text.replace(" ", "T"))
        except ValueError:
            return text
    return text


def _serial_date(v):
    """An Excel serial number (1900 system) as a date, or a datetime with a time of day.

    The time is cut to the millisecond, never rounded up into the next day (as calamine reads
    a file), so 2958465.9999999 is 9999-12-31 23:59:59.991, not a day past the last one
    Python has; numbers outside Excel's dates stay numbers. Either way the column's reader
    (normalize.to_date) then answers with a located 错误 when the date is not plausible."""
    if isinstance(v, bool) or not isinstance(v, (int, float)) or not (1 <= v < 2958466):
        return v
    days = math.floor(v)
    if v == days:
        return (_EXCEL_EPOCH + timedelta(days=days)).date()
    ms = min(math.floor((v - days) * 86_400_000), 86_399_999)
    return _EXCEL_EPOCH + timedelta(days=days, milliseconds=ms)


_DECODERS: tuple | None = None
#: bytes of the request's members other than ``sheets`` (options, workbook …)
MAX_OTHER = 1 << 20


def _decoders():
    """(request, rows of a sheet, cells of a row) JSON decoders (msgspec): the request and
    a sheet are split into the undecoded JSON of their members and rows (``msgspec.Raw``,
    slices of the body), so nothing is built before its size is known."""
    global _DECODERS
    if _DECODERS is None:
        import msgspec

        _DECODERS = (msgspec.json.Decoder(dict[str, msgspec.Raw]), msgspec.json.Decoder(list[msgspec.Raw]),
                     msgspec.json.Decoder(list[str | int | float | bool | None]))
    return _DECODERS


def parse_payload(body: bytes | bytearray) -> dict:
    """A request body as the dict the routes take: ``sheets`` maps each sheet name to its
    undecoded JSON (decoded, within the limits, only for the sheets a command reads:
    ``sheets_from_json``), every other member decoded (at most ``MAX_OTHER`` bytes each)."""
    import msgspec

    top_decoder = _decoders()[0]
    try:
        top = top_decoder.decode(body)
    except msgspec.ValidationError:
        raise ServiceError(400, "请求内容应为 JSON 对象：{\"sheets\": {…}, \"options\": {…}}。") from None
    except msgspec.DecodeError:
        raise _not_json() from None
    payload: dict = {}
    for key, raw in top.items():
        if key == "sheets":
            try:
                sheets = top_decoder.decode(raw)
            except msgspec.ValidationError:
                raise ServiceError(400, "请求中缺少 sheets（工作表名 → 行的列表）。") from None
            except msgspec.DecodeError:
                raise _not_json() from None
            payload[key] = {name: None if bytes(grid).strip() == b"null" else grid for name, grid in sheets.items()}
        elif len(raw) > MAX_OTHER:
            raise ServiceError(413, f"请求中的“{key[:40]}”超过 1 MB，无法处理。")
        else:
            try:
                payload[key] = msgspec.json.decode(raw)
            except msgspec.DecodeError:
                raise _not_json() from None
    return payload


def _not_json() -> ServiceError:
    # the members' JSON is checked when the body is split; text inside it (UTF-8) only when
    # a member or row is decoded
    return ServiceError(400, "请求内容不是有效的 JSON（UTF-8）。")


def _bad_cell(sheet: str, r: int, c: int) -> ServiceError:
    return ServiceError(400, f"工作表“{sheet}”第 {r + 1} 行第 {c + 1} 列的值不是数字、文字、是/否或空值。")


def _bad_sheet(sheet: str) -> ServiceError:
    return ServiceError(400, f"工作表“{sheet}”应为行的列表（每行是单元格值的列表）。")


_SCALARS = (str, int, float, bool, type(None))
_AT_INDEX = re.compile(r"\$\[(\d+)\]")


class CellBudget:
    """The input limits (book/limits.py) over the sheets one request has the command read,
    checked row by row while the rows are decoded, so an oversized request costs its rows'
    count, not its cells."""

    def __init__(self):
        self.total = 0
        self.counted: set[str] = set()     # a sheet read twice (print) counts once

    def check_rows(self, sheet: str, rows: int) -> None:
        from .book import limits

        if rows > limits.MAX_ROWS_PER_SHEET:
            raise ServiceError(413, f"工作表“{sheet}”有 {limits.number(rows)} 行，超出每个工作表最多 "
                                    f"{limits.number(limits.MAX_ROWS_PER_SHEET)} 行的上限，没有计算。"
                                    f"请删除误填在远处的内容；数据确实这么多，请分成几个工作簿（例如每学期、每年一个）。")

    def check_grid(self, sheet: str, rows: int, width: int, done: bool) -> None:
        """A sheet's grid (rows × widest row) so far; ``done``: add it to the request's total."""
        from .book import limits

        cells = rows * width
        if sheet in self.counted:
            return
        if cells > limits.MAX_CELLS_PER_SHEET:
            raise ServiceError(413, f"工作表“{sheet}”从 A1 到第 {limits.number(rows)} 行、第 {width} 列共 "
                                    f"{limits.number(cells)} 个单元格以上，超出每个工作表最多 "
                                    f"{limits.number(limits.MAX_CELLS_PER_SHEET)} 个的上限，没有计算。"
                                    f"请删除误填在远处的单元格，或把数据分到几个工作簿。")
        if self.total + cells > limits.MAX_CELLS_PER_WORKBOOK:
            raise ServiceError(413, f"要计算的工作表共有 {limits.number(self.total + cells)} 个单元格以上，超出一次最多 "
                                    f"{limits.number(limits.MAX_CELLS_PER_WORKBOOK)} 个的上限，没有计算。"
                                    f"请只发送命令用到的工作表，或把数据分到几个工作簿（例如每学期、每年一个）。")
        if done:
            self.total += cells
            self.counted.add(sheet)


def _date_value(v):
    """A posted cell of a date column as the file door reads it: ISO text or an Excel serial
    number becomes a date (or a datetime with its time of day)."""
    return _iso(v) if type(v) is str else _serial_date(v)


def grid_cells(sheet: str, grid, budget: CellBudget) -> list[list]:
    """The rows of a posted sheet as lists of cells, within ``budget``: ``grid`` is the
    sheet's JSON still undecoded (``msgspec.Raw``, from ``parse_payload``) or already a
    list of lists (a caller in this process)."""
    import msgspec

    if isinstance(grid, msgspec.Raw):
        try:
            rows = _decoders()[1].decode(grid)
        except msgspec.ValidationError:
            raise _bad_sheet(sheet) from None
        except msgspec.DecodeError:
            raise _not_json() from None
        budget.check_rows(sheet, len(rows))
        out, width = [], 0
        for r, raw_row in enumerate(rows):
            try:
                row = _decoders()[2].decode(raw_row)
            except msgspec.ValidationError as exc:
                at = _AT_INDEX.search(str(exc))
                if at is None:
                    raise _bad_sheet(sheet) from None
                raise _bad_cell(sheet, r, int(at[1])) from None
            except msgspec.DecodeError:
                raise _not_json() from None
            rows[r] = None                   # the row's JSON is no longer needed
            if len(row) > width:
                width = len(row)
                budget.check_grid(sheet, len(rows), width, False)
            out.append(row)
        budget.check_grid(sheet, len(rows), width, True)
        return out
    if not isinstance(grid, list) or not all(isinstance(row, list) for row in grid):
        raise _bad_sheet(sheet)
    budget.check_rows(sheet, len(grid))
    budget.check_grid(sheet, len(grid), max(map(len, grid), default=0), True)
    out = []
    for r, row in enumerate(grid):
        for c, v in enumerate(row):
            if not isinstance(v, _SCALARS):
                raise _bad_cell(sheet, r, c)
        out.append(list(row))
    return out


def sheets_from_json(payload: dict, wanted: dict[str, list[str]], budget: CellBudget | None = None) -> dict:
    """RawSheets for the sheets the action reads, from ``payload["sheets"]`` (other sheets
    a client sends along are ignored, never decoded)."""
    from .book.reader import raw_from_cells

    sheets = payload.get("sheets")
    if not isinstance(sheets, dict):
        raise ServiceError(400, "请求中缺少 sheets（工作表名 → 行的列表）。")
    budget = budget or CellBudget()
    headers, keys = date_kinds()
    out = {}
    for name, expected in wanted.items():
        grid = sheets.get(name)
        if grid is None:
            out[name] = None
            continue
        cells = grid_cells(name, grid, budget)
        raw = raw_from_cells(name, cells, list(expected))
        # dates arrive as ISO text or Excel serial numbers; only the columns that hold dates
        # (and the 值 of 设置-like sheets, whose option cells may too) are looked at
        date_cols = [i for i, h in enumerate(raw.header) if h in headers]
        for row in raw.rows:
            for i in date_cols:
                row[i] = _date_value(row[i])
        if "项目" in raw.header and "值" in raw.header:
            ki, vi = raw.header.index("项目"), raw.header.index("值")
            for row in raw.rows:
                if type(row[vi]) is str:
                    row[vi] = _iso(row[vi])
                elif isinstance(row[ki], str) and row[ki].strip() in keys:
                    row[vi] = _serial_date(row[vi])
        out[name] = raw
    return out


def options_from_json(action, payload: dict) -> dict:
    from .app import parse_param

    raw = payload.get("options") or {}
    if not isinstance(raw, dict):
        raise ServiceError(400, "options 应为“参数名 → 值”的对象。")
    params = {p.name: p.kind for p in action.params}
    opts = {}
    for name, value in raw.items():
        if name not in params:
            known = "、".join(params) or "无"
            raise ServiceError(400, f"命令 {action.name} 没有参数“{name}”（可用参数：{known}）。")
        if value is None or value is False or (isinstance(value, str) and not value.strip()):
            continue
        if not isinstance(value, (str, int, float, bool)):
            raise ServiceError(400, f"参数“{name}”的值应为文字、数字或是/否。")
        try:
            opts[name] = parse_param(params[name], value) if params[name] != "flag" else \
                bool(parse_param("flag", value))
        except (ValueError, TypeError) as exc:
            raise ServiceError(400, f"参数 {name} “{value}” 无法识别：{exc}") from None
        if params[name] == "flag" and not opts[name]:
            del opts[name]
    return opts


# --------------------------------------------------------------------------- running an action

class WorkbookLocks:
    """One lock per workbook key, so two buttons on one workbook run one after the other."""

    def __init__(self):
        self._guard = threading.Lock()
        self._locks: dict[str, list] = {}     # key -> [lock, users]

    def acquire(self, key: str) -> threading.Lock:
        with self._guard:
            entry = self._locks.setdefault(key, [threading.Lock(), 0])
            entry[1] += 1
        entry[0].acquire()
        return entry[0]

    def release(self, key: str) -> None:
        with self._guard:
            entry = self._locks[key]
            entry[0].release()
            entry[1] -= 1
            if entry[1] == 0:
                del self._locks[key]


def workbook_key(payload: dict) -> str:
    given = payload.get("workbook")
    if isinstance(given, str) and given.strip():
        return "id:" + given.strip()
    sheets = payload.get("sheets") or {}
    h = hashlib.sha256()
    h.update(json.dumps(sorted(sheets), ensure_ascii=False).encode())
    settings = sheets.get("设置")
    if settings is not None and not isinstance(settings, list):      # undecoded JSON (parse_payload)
        import msgspec
        settings = msgspec.json.decode(settings) if len(settings) <= MAX_OTHER else bytes(settings)
    h.update(json.dumps(settings, ensure_ascii=False, default=str).encode())
    return "sheets:" + h.hexdigest()


def command_names() -> list[str]:
    from .schemes import SCHEMES, catalog

    return [c.name for c in catalog.commands(SCHEMES)]


def run_command(command: str, payload: dict) -> dict:
    """Compute ``command`` on the posted sheets; the JSON answer (WORKBOOKS.md)."""
    from .app import ACTIONS, detect_scheme, find_action, sorted_problems
    from .book.render_spec import json_cell, output_json
    from .core.problems import CHECK_COLUMNS, InputError

    if command not in command_names():
        raise ServiceError(404, f"没有“{command}”这个命令；可用的命令：{'、'.join(command_names())}。")
    if not isinstance(payload, dict):
        raise ServiceError(400, "请求内容应为 JSON 对象：{\"sheets\": {…}, \"options\": {…}}。")
    sheets = payload.get("sheets")
    if not isinstance(sheets, dict) or not sheets:
        raise ServiceError(400, "请求中缺少 sheets（工作表名 → 行的列表）。")
    names = [str(n) for n in sheets]
    action = find_action(command, names)
    scheme = detect_scheme(names)
    if action is None or scheme is None:
        wanted = sorted({s for (n, _), a in ACTIONS.items() if n == command for s in a.sheets})
        raise ServiceError(400, f"发送的工作表（{'、'.join(names)[:200]}）不是“{command}”适用的工作簿；"
                                f"需要这些工作表：{'、'.join(wanted)}。")
    opts = options_from_json(action, payload)
    wanted = action.sheets_to_read()
    if payload.get("settings_options"):
        wanted = wanted | {"设置": ["项目", "值"]}
    raw = sheets_from_json(payload, wanted)
    try:
        result = None
        if payload.get("settings_options"):
            # the buttons' rule (macros.options_from_settings): 计算周 … cells in 设置, one parsing
            from .app import Result, check_sheet
            from .macros import options_from_settings
            cell_opts, problems = options_from_settings(action, raw.get("设置"))
            if problems:
                result = Result([check_sheet(problems)], problems,
                                ["“设置”中的计算参数有误，未生成结果；请按“校验”工作表修改。"])
            opts = cell_opts | opts
        if result is None:
            result = action.compute(raw, opts)
    except InputError as exc:
        raise ServiceError(400, exc.message) from None
    return {
        "exit_code": result.exit_code,
        "summary": list(result.summary),
        "problems": [dict(zip(CHECK_COLUMNS, (json_cell(v) for v in p.as_row())))
                     for p in sorted_problems(result.problems)],
        "outputs": [output_json(o) for o in result.outputs],
    }


MAX_PAPERS = 50


def print_papers(payload: dict) -> tuple[bytes | None, list[tuple[str, str]]]:
    """`POST /v1/print`: the papers named in ``payload["papers"]`` typeset from the posted
    sheets exactly as `jifen print` does from a file (papers.render_pdf); (PDF, refused)."""
    from .core.problems import InputError
    from .papers import render_pdf
    from .papers.sources import SheetBook

    if not isinstance(payload, dict):
        raise ServiceError(400, "请求内容应为 JSON 对象：{\"sheets\": {…}, \"papers\": [\"家长通知单\", …]}。")
    sheets = payload.get("sheets")
    if not isinstance(sheets, dict) or not sheets:
        raise ServiceError(400, "请求中缺少 sheets（工作表名 → 行的列表）。")
    names = payload.get("papers")
    if (not isinstance(names, list) or not names or len(names) > MAX_PAPERS
            or not all(isinstance(n, str) and n.strip() for n in names)):
        raise ServiceError(400, f"papers 应为要打印的文书或工作表名称列表（1 至 {MAX_PAPERS} 个），"
                                "例如 [\"家长通知单\", \"奖状\"]。")
    budget = CellBudget()
    book = SheetBook(None, lambda name, expected: sheets_from_json(payload, {name: expected}, budget)[name],
                     [str(n) for n in sheets])
    try:
        return render_pdf(book, [n.strip() for n in names])
    except InputError as exc:
        raise ServiceError(400, exc.message) from None


def pdf_response(pdf: bytes | None, refused: list[tuple[str, str]]):
    """The PDF of the papers asked (application/pdf); the names refused, with reasons, in the
    ``X-Jifen-Refused`` header (JSON, ASCII-escaped); 422 with the list when none printed."""
    from starlette.responses import JSONResponse, Response

    listed = [{"name": n, "reason": why} for n, why in refused]
    if pdf is None:
        return JSONResponse({"message": "没有可以打印的文书：" + "；".join(f"{n}（{w}）" for n, w in refused),
                             "refused": listed}, status_code=422)
    return Response(pdf, media_type="application/pdf",
                    headers={"X-Jifen-Refused": json.dumps(listed, ensure_ascii=True),
                             "Content-Disposition": "inline; filename=jifen-print.pdf"})


def commands_json() -> list[dict]:
    """What each button needs: the sheets to send and the options with their 设置 labels."""
    from .app import ACTIONS

    return [{"command": name, "button": a.button, "scheme": scheme, "sheets": list(a.sheets_to_read()),
             "options": [{"name": p.name, "kind": p.kind, "label": p.label, "help": p.help} for p in a.params]}
            for (name, scheme), a in ACTIONS.items()]


# --------------------------------------------------------------------------- the Starlette app

def create_app(token: str, port: int = DEFAULT_PORT, origins: list[str] | None = None):
    from starlette.applications import Starlette
    from starlette.concurrency import run_in_threadpool
    from starlette.exceptions import HTTPException
    from starlette.middleware import Middleware
    from starlette.middleware.cors import CORSMiddleware
    from starlette.requests import Request
    from starlette.responses import JSONResponse
    from starlette.routing import Route

    from . import __version__

    locks = WorkbookLocks()
    gate = threading.BoundedSemaphore(MAX_PARALLEL)

    def error(status: int, message: str) -> JSONResponse:
        return JSONResponse({"message": message}, status_code=status)

    def check_token(request: Request) -> None:
        given = request.headers.get(TOKEN_HEADER, "")
        if not given or not hmac.compare_digest(given.encode(), token.encode()):
            raise ServiceError(401, "缺少或错误的访问令牌（X-Jifen-Token）。运行 `jifen serve --print-token` 查看令牌。")

    async def read_json(request: Request):
        """The body (at most ``MAX_BODY`` bytes, read as it streams in), split by
        ``parse_payload`` in a worker thread, not on the event loop."""
        length = request.headers.get("content-length")
        if length and length.isdigit() and int(length) > MAX_BODY:
            raise ServiceError(413, "请求内容超过 64 MB，无法处理；请只发送所需的工作表。")
        body = bytearray()         # one copy of the body: the decoders read it in place
        async for chunk in request.stream():
            if len(body) + len(chunk) > MAX_BODY:
                raise ServiceError(413, "请求内容超过 64 MB，无法处理；请只发送所需的工作表。")
            body += chunk
        return await run_in_threadpool(parse_payload, body)

    async def health(request: Request):
        return JSONResponse({"ok": True, "version": __version__})

    async def commands(request: Request):
        check_token(request)
        return JSONResponse({"commands": await run_in_threadpool(commands_json)})

    def serialised(payload, fn):
        """``fn(payload)`` after the runs already waiting on the same workbook, within the gate."""
        key = workbook_key(payload) if isinstance(payload, dict) else "?"
        locks.acquire(key)
        try:
            with gate:
                return fn(payload)
        finally:
            locks.release(key)

    async def run(request: Request):
        check_token(request)
        command = request.path_params["command"]
        payload = await read_json(request)
        return JSONResponse(await run_in_threadpool(serialised, payload, lambda p: run_command(command, p)))

    async def print_route(request: Request):
        check_token(request)
        payload = await read_json(request)
        return pdf_response(*await run_in_threadpool(serialised, payload, print_papers))

    async def on_service_error(request: Request, exc: ServiceError):
        return error(exc.status, exc.message)

    async def on_http_error(request: Request, exc: HTTPException):
        messages = {404: "没有这个地址；可用：GET /v1/health、GET /v1/commands、POST /v1/run/<命令>、POST /v1/print。",
                    405: "这个地址不支持这种请求方法。"}
        return error(exc.status_code, messages.get(exc.status_code, "请求无法处理。"))

    async def on_internal_error(request: Request, exc: Exception):
        return error(500, f"服务内部错误（{type(exc).__name__}），工作簿没有被改动；"
                          "请把工作簿和这条信息发给维护人员。")

    allowed_hosts = {f"{LOOPBACK}:{port}", f"localhost:{port}"}

    class HostCheck:
        """403 unless the Host header names this service on loopback (DNS rebinding)."""

        def __init__(self, app):
            self.app = app

        async def __call__(self, scope, receive, send):
            if scope["type"] == "http":
                host = next((v.decode("latin-1").lower() for k, v in scope.get("headers", [])
                             if k == b"host"), None)
                if host not in allowed_hosts:
                    await error(403, f"拒绝访问：Host 头应为 127.0.0.1:{port} 或 localhost:{port}。")(
                        scope, receive, send)
                    return
            await self.app(scope, receive, send)

    return Starlette(
        routes=[Route("/v1/health", health, methods=["GET"]),
                Route("/v1/commands", commands, methods=["GET"]),
                Route("/v1/run/{command}", run, methods=["POST"]),
                Route("/v1/print", print_route, methods=["POST"])],
        middleware=[Middleware(HostCheck),
                    Middleware(CORSMiddleware, allow_origins=list(origins or ALLOWED_ORIGINS),
                               allow_methods=["GET", "POST"],
                               allow_headers=[TOKEN_HEADER, "Content-Type"], expose_headers=["X-Jifen-Refused"],
                               max_age=600)],
        exception_handlers={ServiceError: on_service_error, HTTPException: on_http_error,
                            Exception: on_internal_error})


def listening_socket(port: int):
    """A socket bound to 127.0.0.1:``port`` (0: a free port the system picks), or a Chinese
    ``ServiceError``. Bound here and handed to uvicorn, so the port the Host check names is the
    port actually listened on, and nothing can take it between a probe and the start."""
    import errno
    import socket

    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    if os.name == "nt":      # no other program may bind the same port beside us
        sock.setsockopt(socket.SOL_SOCKET, getattr(socket, "SO_EXCLUSIVEADDRUSE", socket.SO_REUSEADDR), 1)
    else:                    # a restart right after a stop finds the port free
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        sock.bind((LOOPBACK, port))
        sock.listen(128)
    except OSError as exc:
        sock.close()
        if exc.errno in (errno.EACCES, errno.EPERM):
            raise ServiceError(2, f"没有权限使用端口 {port}（1024 以下的端口需要管理员权限）；"
                                  f"请换一个端口：jifen serve --port 端口号（默认 {DEFAULT_PORT}）。") from None
        raise ServiceError(2, f"端口 {port} 已被占用：积分服务可能已经在运行（浏览器打开 "
                              f"http://{LOOPBACK}:{port}/v1/health 可查看），或换一个端口：jifen serve --port 端口号。"
                           ) from None
    return sock


def serve(port: int = DEFAULT_PORT, host: str = LOOPBACK, wrap=None) -> int:
    """Run the service in the foreground until interrupted (port 0: any free port, printed).
    ``wrap(app, port) -> app`` puts another door's routes in front (积分助手's page, serve_cli /
    assistant/launch.py); ``port`` is the one listened on."""
    if host != LOOPBACK:
        print(f"只能在本机回环地址 {LOOPBACK} 上运行，拒绝监听 {host}。", file=sys.stderr)
        return 2
    import uvicorn

    try:
        sock = listening_socket(port)
    except ServiceError as exc:
        print(exc.message, file=sys.stderr)
        return 2
    port = sock.getsockname()[1]
    token = ensure_token()
    app = create_app(token, port)
    if wrap is not None:
        app = wrap(app, port)
    date_kinds()                    # warm: every scheme's computing code imported before the first click
    commands_json()
    print(f"积分服务已启动：http://{LOOPBACK}:{port}/v1/health（令牌文件 {token_path()}）", flush=True)
    config = uvicorn.Config(app, host=LOOPBACK, port=port, log_level="warning", access_log=False,
                            server_header=False, date_header=False)
    try:
        uvicorn.Server(config).run(sockets=[sock])
    except OSError as exc:
        from .core.oserror import os_reason
        print(f"无法在端口 {port} 上启动服务：{os_reason(exc)}", file=sys.stderr)
        return 2
    finally:
        sock.close()
    return 0
