"""The page's routes: small functions over the request, each reading the ``Assistant``
(login codes, chosen folders) from ``request.app.state``. The checks every request passes
first (Host, origin, login) are the Guard's (auth.py); what a button does is work.py's."""
from __future__ import annotations

import time
from html import escape
from pathlib import Path
from urllib.parse import quote

from starlette.concurrency import run_in_threadpool
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import FileResponse, HTMLResponse, JSONResponse, RedirectResponse, Response
from starlette.routing import Mount, Route
from starlette.staticfiles import StaticFiles

from . import work
from .auth import TOKEN_HEADER, token_ok
from .files import Refused

STATIC = Path(__file__).resolve().parent / "static"
BUSY_STATUS = 409


def message_page(title: str, message: str) -> str:
    return (f'<!doctype html><html lang="zh-CN"><meta charset="utf-8"><title>{escape(title)}</title>'
            f'<link rel="stylesheet" href="/ui/static/style.css"><main class="notice"><h1>{escape(title)}</h1>'
            f'<p>{escape(message)}</p></main></html>')


LOGIN_REFUSED = message_page(
    "登录链接无效", "这个登录链接已经用过或已过期。请重新双击桌面上的“积分助手”，或在命令行运行 jifen ui。")


def known_error(exc: Exception) -> tuple[int, str] | None:
    """(status, Chinese message) for a refusal a clerk can act on; None for a bug of ours."""
    from ..book.lock import WorkbookLocked
    from ..book.ooxml.safesave import WorkbookBusy

    if isinstance(exc, Refused):
        return exc.status, exc.message
    message = getattr(exc, "message", None)
    if not message:
        return None
    return (BUSY_STATUS if isinstance(exc, (WorkbookLocked, WorkbookBusy)) else 400), message


async def on_error(request: Request, exc: Exception):
    known = known_error(exc)
    if known is not None:
        return JSONResponse({"message": known[1]}, status_code=known[0])
    if isinstance(exc, HTTPException):
        return JSONResponse({"message": "没有这个地址。" if exc.status_code == 404 else "请求无法处理。"},
                            status_code=exc.status_code)
    return JSONResponse({"message": f"积分助手内部错误（{type(exc).__name__}），工作簿没有被改动；"
                                    "请把工作簿和这条信息发给维护人员。"}, status_code=500)


def _assistant(request: Request):
    return request.app.state.assistant


async def _body(request: Request) -> dict:
    try:
        data = await request.json()
    except ValueError:
        raise Refused(400, "请求内容不是有效的 JSON。") from None
    if not isinstance(data, dict):
        raise Refused(400, "请求内容应为 JSON 对象。")
    return data


# ---------------------------------------------------------------------------- page and login

async def root(request: Request):
    return RedirectResponse("/ui/", status_code=303)


async def page(request: Request):
    return FileResponse(STATIC / "index.html", media_type="text/html; charset=utf-8")


async def login(request: Request):
    logins = _assistant(request).logins
    done = logins.consume(request.query_params.get("code"))
    if done is None:
        if logins.valid(logins.session_in(request.headers.get("cookie"))):
            return RedirectResponse("/ui/", status_code=303)       # an old link, already logged in
        return HTMLResponse(LOGIN_REFUSED, status_code=403)
    target = "/ui/" + ("#open=" + quote(done.open_path) if done.open_path else "")
    response = RedirectResponse(target, status_code=303)
    response.headers["set-cookie"] = logins.set_cookie(logins.new_session())
    return response


async def logout(request: Request):
    logins = _assistant(request).logins
    logins.end(logins.session_in(request.headers.get("cookie")))
    response = JSONResponse({"ok": True})
    response.headers["set-cookie"] = logins.set_cookie("", max_age=0)
    return response


async def launch(request: Request):
    """`jifen ui` (the service token, never the cookie): add folders, mint a login URL."""
    assistant = _assistant(request)
    if not token_ok(request.headers.get(TOKEN_HEADER), assistant.token):
        raise Refused(403, "只有 jifen ui 命令（持有服务令牌）可以请求登录链接。")
    data = await _body(request)
    for folder in data.get("folders") or []:
        assistant.folders.add(folder)
    open_path = data.get("open")
    if open_path:
        assistant.folders.add(Path(open_path).parent)
        open_path = str(assistant.folders.workbook(open_path))
    return JSONResponse({"url": assistant.login_url(open_path)})


# ---------------------------------------------------------------------------- the workbooks

def _state_json(folders) -> dict:
    import importlib.util

    from ..rollup.cli_hooks import MISSING_EXTRA

    roots = [{"path": str(r), "name": r.name or str(r), "workbooks": [b.as_json(r) for b in folders.listing(r)]}
             for r in folders.roots]
    recent = [folders.book(p).as_json(folders.root_of(p)) for p in folders.recent() if p.is_file()]
    missing = [m for m in ("pyarrow", "duckdb") if importlib.util.find_spec(m) is None]
    rollup = {"available": not missing,
              "message": MISSING_EXTRA.format(command="rollup", missing="、".join(missing)) if missing else ""}
    return {"folders": roots, "recent": recent, "rollup": rollup}


async def state(request: Request):
    return JSONResponse(await run_in_threadpool(_state_json, _assistant(request).folders))


async def workbook(request: Request):
    folders = _assistant(request).folders
    path = folders.workbook(request.query_params.get("path"))
    book = folders.book(path)
    return JSONResponse(await run_in_threadpool(work.workbook_view, path, book.kind, book.label))


async def run(request: Request):
    folders = _assistant(request).folders
    data = await _body(request)
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

    path = _assistant(request).folders.workbook((await _body(request)).get("path"))
    try:
        open_file(path)
    except OSError as exc:
        raise Refused(500, exc.strerror or str(exc)) from None
    return JSONResponse({"ok": True, "message": f"已请系统打开“{path.name}”。"})


async def download(request: Request):
    path = _assistant(request).folders.workbook(request.query_params.get("path"))
    return FileResponse(path, filename=path.name, media_type="application/octet-stream")


async def paper(request: Request):
    path = _assistant(request).folders.workbook(request.query_params.get("path"))
    name = request.query_params.get("paper") or ""
    try:
        pdf = await run_in_threadpool(work.paper_pdf, path, name)
    except Exception as exc:
        known = known_error(exc)
        if known is None:
            raise
        return HTMLResponse(message_page("无法打印", known[1]), status_code=known[0])
    return Response(pdf, media_type="application/pdf", headers={
        "content-disposition": f"inline; filename*=UTF-8''{quote(path.stem + '-' + name + '.pdf')}"})


async def rollup(request: Request):
    folder = _assistant(request).folders.folder((await _body(request)).get("folder"))
    return JSONResponse(await run_in_threadpool(work.rollup_folder, folder))


ROUTES = [
    Route("/", root), Route("/ui", root), Route("/ui/", page),
    Route("/ui/login", login), Route("/ui/logout", logout, methods=["POST"]),
    Route("/ui/api/state", state), Route("/ui/api/workbook", workbook),
    Route("/ui/api/run", run, methods=["POST"]), Route("/ui/api/open", open_book, methods=["POST"]),
    Route("/ui/api/download", download), Route("/ui/api/paper", paper),
    Route("/ui/api/rollup", rollup, methods=["POST"]), Route("/ui/api/launch", launch, methods=["POST"]),
    Mount("/ui/static", app=StaticFiles(directory=STATIC), name="static"),
]
