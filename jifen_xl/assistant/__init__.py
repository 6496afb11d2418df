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

from pathlib import Path

from .auth import SESSION_COOKIE, Guard, Logins
from .files import Folders, Refused


class Assistant:
    """The state behind the page: login codes and sessions, the chosen folders."""

    def __init__(self, token: str, port: int, folders=(), recent_file: Path | None = None):
        self.token = token
        self.port = port
        self.logins = Logins(cookie=f"{SESSION_COOKIE}_{port}")
        self.folders = Folders(list(folders), recent_file)

    def login_url(self, open_path: str | None = None, host: str = "127.0.0.1") -> str:
        return f"http://{host}:{self.port}/ui/login?code={self.logins.mint(open_path)}"


def create_page_app(assistant: Assistant):
    """The Starlette app of ``/ui`` (routes.py), wrapped in the Guard (auth.py)."""
    from starlette.applications import Starlette
    from starlette.exceptions import HTTPException

    from ..book.ooxml.safesave import WorkbookBusy
    from ..core.problems import InputError
    from .routes import ROUTES, on_error

    app = Starlette(routes=ROUTES, exception_handlers={
        Refused: on_error, InputError: on_error, WorkbookBusy: on_error, HTTPException: on_error, Exception: on_error})
    app.state.assistant = assistant
    return Guard(app, assistant.token, assistant.port, assistant.logins)


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


def page_for_service(api, port: int):
    """``serve(wrap=…)`` for `jifen serve`: the page with no folder yet (`jifen ui` adds them)."""
    from ..serve import ensure_token
    from .launch import recent_file
    return with_assistant(api, Assistant(ensure_token(), port, (), recent_file()))
