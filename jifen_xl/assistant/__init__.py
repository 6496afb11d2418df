"""积分助手: the local page beside any spreadsheet program (`jifen ui`).

The page (``static/``: plain HTML, JS and CSS, no build step, no CDN) lists the workbooks
of the chosen folders and the recent ones with their kind, shows the buttons of the
selected workbook's scheme with the option cells of its `设置`, and runs the action on the
file itself with the command line's code (work.py). It is served by the local service
(`jifen serve`, serve.py) under ``/ui``: ``with_assistant`` puts these routes in front of
the service's own, with their own middleware — login, Host and Origin checks (auth.py) and
no CORS — while ``/v1`` keeps its own.

Routes (all answers to ``/ui/api`` are JSON with a Chinese ``message`` on refusal):

    GET  /ui/                     the page                 GET  /ui/login?code=…   one-time login
    GET  /ui/api/state            folders, workbooks, recent, roll-up availability
    GET  /ui/api/workbook?path=   kind, buttons, option values, printable papers
    POST /ui/api/run              {path, command, options} → summary, problems, papers
    POST /ui/api/open             {path}: the OS opens the workbook (Excel, WPS, …)
    GET  /ui/api/download?path=   the workbook file
    GET  /ui/api/paper?path=&paper=   a printed paper as PDF (`jifen print`)
    POST /ui/api/rollup           {folder}: `jifen rollup` into the folder
    POST /ui/api/launch           (service token only) {folders, open} → a login URL
"""
from __future__ import annotations

import time
from pathlib import Path

from .auth import Guard, Logins, cookie_header, cookie_value
from .files import Folders, Refused

STATIC = Path(__file__).resolve().parent / "static"
BUSY_STATUS = 409


class Assistant:
    """The state behind the page: login codes and sessions, the chosen folders."""

    def __init__(self, token: str, port: int, folders=(), recent_file: Path | None = None):
        self.token = token
        self.port = port
        self.logins = Logins()
        self.folders = Folders(list(folders), recent_file)

    def login_url(self, open_path: str | None = None, host: str = "127.0.0.1") -> str:
        return f"http://{host}:{self.port}/ui/login?code={self.logins.mint(open_path)}"


def _message_status(exc: Exception) -> tuple[int, str] | None:
    from ..book.lock import WorkbookLocked
    from ..book.ooxml.safesave import WorkbookBusy

    if isinstance(exc, Refused):
        return exc.status, exc.message
    message = getattr(exc, "message", None)
    if not message:
        return None
    return (BUSY_STATUS if isinstance(exc, (WorkbookLocked, WorkbookBusy)) else 400), message


def create_page_app(assistant: Assistant):
    """The Starlette app of ``/ui`` (wrapped in the Guard)."""
    from starlette.applications import Starlette
    from starlette.concurrency import run_in_threadpool
    from starlette.exceptions import HTTPException
    from starlette.requests import Request
    from starlette.responses import FileResponse, HTMLResponse, JSONResponse, RedirectResponse, Response
    from starlette.routing import Mount, Route
    from starlette.staticfiles import StaticFiles

    from ..book.ooxml.safesave import WorkbookBusy
    from ..core.problems import InputError
    from . import work

    folders = assistant.folders

    def error(status: int, message: str) -> JSONResponse:
        return JSONResponse({"message": message}, status_code=status)

    async def body(request: Request) -> dict:
        try:
            data = await request.json()
        except ValueError:
            raise Refused(400, "请求内容不是有效的 JSON。") from None
        if not isinstance(data, dict):
            raise Refused(400, "请求内容应为 JSON 对象。")
        return data

    async def root(request: Request):
        return RedirectResponse("/ui/", status_code=303)

    async def page(request: Request):
        return FileResponse(STATIC / "index.html", media_type="text/html; charset=utf-8")

    async def login(request: Request):
        done = assistant.logins.consume(request.query_params.get("code"))
        if done is None:
            if assistant.logins.valid(cookie_value(request.headers.get("cookie"))):
                return RedirectResponse("/ui/", status_code=303)
            return HTMLResponse(_LOGIN_REFUSED, status_code=403)
        target = "/ui/"
        if done.open_path:
            from urllib.parse import quote
            target += "#open=" + quote(done.open_path)
        response = RedirectResponse(target, status_code=303)
        response.headers["set-cookie"] = cookie_header(assistant.logins.new_session())
        return response

    async def logout(request: Request):
        assistant.logins.end(cookie_value(request.headers.get("cookie")))
        response = JSONResponse({"ok": True})
        response.headers["set-cookie"] = cookie_header("", max_age=0)
        return response

    def state_json() -> dict:
        from ..rollup.cli_hooks import MISSING_EXTRA
        roots = [{"path": str(r), "name": r.name or str(r),
                  "workbooks": [b.as_json(r) for b in folders.listing(r)]} for r in folders.roots]
        recent = [folders.book(p).as_json(folders.root_of(p)) for p in folders.recent() if p.is_file()]
        return {"folders": roots, "recent": recent, "rollup": _rollup_state(MISSING_EXTRA)}

    async def state(request: Request):
        return JSONResponse(await run_in_threadpool(state_json))

    async def workbook(request: Request):
        path = folders.workbook(request.query_params.get("path"))
        book = folders.book(path)
        return JSONResponse(await run_in_threadpool(work.workbook_view, path, book.kind, book.label))

    async def run(request: Request):
        data = await body(request)
        path = folders.workbook(data.get("path"))
        command = data.get("command")
        if not isinstance(command, str):
            raise Refused(400, "请求中缺少命令。")
        start = time.perf_counter()
        answer = await run_in_threadpool(work.press, path, command, data.get("options") or {})
        answer["seconds"] = round(time.perf_counter() - start, 3)
        folders.remember(path)
        return JSONResponse(answer)

    async def open_book(request: Request):
        from .desktop import open_file
        path = folders.workbook((await body(request)).get("path"))
        try:
            open_file(path)
        except OSError as exc:
            raise Refused(500, getattr(exc, "strerror", None) or str(exc)) from None
        return JSONResponse({"ok": True, "message": f"已请系统打开“{path.name}”。"})

    async def download(request: Request):
        path = folders.workbook(request.query_params.get("path"))
        return FileResponse(path, filename=path.name, media_type="application/octet-stream")

    async def paper(request: Request):
        path = folders.workbook(request.query_params.get("path"))
        name = request.query_params.get("paper") or ""
        try:
            pdf = await run_in_threadpool(work.paper_pdf, path, name)
        except Exception as exc:
            known = _message_status(exc)
            if known is None:
                raise
            return HTMLResponse(_message_page("无法打印", known[1]), status_code=known[0])
        from urllib.parse import quote
        return Response(pdf, media_type="application/pdf", headers={
            "content-disposition": f"inline; filename*=UTF-8''{quote(path.stem + '-' + name + '.pdf')}"})

    async def rollup(request: Request):
        folder = folders.folder((await body(request)).get("folder"))
        return JSONResponse(await run_in_threadpool(work.rollup_folder, folder))

    async def launch(request: Request):
        if not Guard.has_token(guard, {k.lower(): v for k, v in request.headers.items()}):
            raise Refused(403, "只有 jifen ui 命令（持有服务令牌）可以请求登录链接。")
        data = await body(request)
        for folder in data.get("folders") or []:
            folders.add(folder)
        open_path = data.get("open")
        if open_path:
            folders.add(Path(open_path).parent)
            open_path = str(folders.workbook(open_path))
        return JSONResponse({"url": assistant.login_url(open_path)})

    async def on_error(request: Request, exc: Exception):
        known = _message_status(exc)
        if known is not None:
            return error(*known)
        if isinstance(exc, HTTPException):
            return error(exc.status_code, "没有这个地址。" if exc.status_code == 404 else "请求无法处理。")
        return error(500, f"积分助手内部错误（{type(exc).__name__}），工作簿没有被改动；"
                          "请把工作簿和这条信息发给维护人员。")

    app = Starlette(routes=[
        Route("/", root), Route("/ui", root), Route("/ui/", page),
        Route("/ui/login", login), Route("/ui/logout", logout, methods=["POST"]),
        Route("/ui/api/state", state), Route("/ui/api/workbook", workbook),
        Route("/ui/api/run", run, methods=["POST"]), Route("/ui/api/open", open_book, methods=["POST"]),
        Route("/ui/api/download", download), Route("/ui/api/paper", paper),
        Route("/ui/api/rollup", rollup, methods=["POST"]), Route("/ui/api/launch", launch, methods=["POST"]),
        Mount("/ui/static", app=StaticFiles(directory=STATIC), name="static"),
    ], exception_handlers={Refused: on_error, InputError: on_error, WorkbookBusy: on_error,
                           HTTPException: on_error, Exception: on_error})
    guard = Guard(app, assistant.token, assistant.port, assistant.logins)
    return guard


def _rollup_state(missing_message: str) -> dict:
    import importlib.util

    missing = [m for m in ("pyarrow", "duckdb") if importlib.util.find_spec(m) is None]
    return {"available": not missing,
            "message": missing_message.format(command="rollup", missing="、".join(missing)) if missing else ""}


def with_assistant(api, assistant: Assistant):
    """An ASGI app serving ``/`` and ``/ui…`` from the page, everything else from ``api``."""
    page = create_page_app(assistant)

    async def dispatch(scope, receive, send):
        path = scope.get("path", "") if scope["type"] == "http" else ""
        if path in ("/", "/ui") or path.startswith("/ui/"):
            await page(scope, receive, send)
        else:
            await api(scope, receive, send)
    dispatch.assistant = assistant
    return dispatch


def _message_page(title: str, message: str) -> str:
    from html import escape
    return (f'<!doctype html><html lang="zh-CN"><meta charset="utf-8"><title>{escape(title)}</title>'
            f'<link rel="stylesheet" href="/ui/static/style.css"><main class="notice"><h1>{escape(title)}</h1>'
            f'<p>{escape(message)}</p></main></html>')


_LOGIN_REFUSED = _message_page(
    "登录链接无效", "这个登录链接已经用过或已过期。请重新双击桌面上的“积分助手”，或在命令行运行 jifen ui。")


def page_for_service(port: int):
    """``serve(wrap=…)`` for `jifen serve`: the page with no folder yet (`jifen ui` adds them)."""
    def wrap(api):
        from ..serve import ensure_token
        from .launch import recent_file
        return with_assistant(api, Assistant(ensure_token(), port, (), recent_file()))
    return wrap
