"""Logging in to 积分助手, the way Jupyter Server does it (jupyter_server/auth, serverapp.py).

* `jifen ui` asks the service (with the token kept 0600 in the user's configuration
  folder) for a **one-time login code** and opens the browser at
  ``http://127.0.0.1:<port>/ui/login?code=…``. The code is consumed on first use (it is
  in the browser's history and on the console) and expires after ``CODE_TTL`` seconds.
* The login answer sets a random **session cookie** (HttpOnly, SameSite=Strict, Path=/)
  and redirects to the page without the code (``Referrer-Policy: no-referrer``). Cookies
  are kept per host, not per port, so its name carries the port (``jifen_session_39800``,
  as Jupyter names its cookie): two services on two ports do not log each other out.
* Every ``/ui/api/`` request needs that cookie, or the service token in ``X-Jifen-Token``
  (what `jifen ui` itself uses to ask for a login code).
* ``Host`` must be ``127.0.0.1:<port>`` or ``localhost:<port>`` (DNS rebinding).
* A request from another origin is refused: the ``Origin`` header, when sent, must be the
  page's own (a state-changing request made with the cookie must carry it), and
  ``Sec-Fetch-Site`` must be ``same-origin`` or ``none``. SameSite alone is not enough:
  every port of 127.0.0.1 is the same *site*, so another local program's page could
  otherwise post with the cookie.
* No CORS headers are ever sent for ``/ui`` (the page's own routes are same-origin).
"""
from __future__ import annotations

import hmac
import secrets
import threading
import time
from dataclasses import dataclass

SESSION_COOKIE = "jifen_session"
CODE_TTL = 600.0              # seconds a login code may wait for its first use
SESSION_TTL = 12 * 3600.0     # a working day
TOKEN_HEADER = "X-Jifen-Token"
SAFE_METHODS = ("GET", "HEAD")
SECURITY_HEADERS = [
    (b"content-security-policy",
     b"default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; "
     b"connect-src 'self'; object-src 'none'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'"),
    (b"x-frame-options", b"DENY"),
    (b"x-content-type-options", b"nosniff"),
    (b"referrer-policy", b"no-referrer"),
    (b"cache-control", b"no-store"),
]


@dataclass
class Login:
    expires: float
    open_path: str | None         # a workbook to show first (dropped on the shortcut)


class Logins:
    """One-time login codes and the sessions they turned into (in memory: a restarted
    service forgets them, and `jifen ui` logs in again)."""

    def __init__(self, cookie: str = SESSION_COOKIE, clock=time.monotonic):
        self.cookie = cookie
        self._clock = clock
        self._lock = threading.Lock()
        self._codes: dict[str, Login] = {}
        self._sessions: dict[str, float] = {}

    def mint(self, open_path: str | None = None) -> str:
        code = secrets.token_urlsafe(32)
        with self._lock:
            now = self._clock()
            self._codes = {c: v for c, v in self._codes.items() if v.expires > now}
            self._codes[code] = Login(now + CODE_TTL, open_path)
        return code

    def consume(self, code: str | None) -> Login | None:
        """The login of ``code`` once; None for an unknown, used or expired code."""
        if not code:
            return None
        with self._lock:
            login = self._codes.pop(code, None)
        if login is None or login.expires <= self._clock():
            return None
        return login

    def new_session(self) -> str:
        sid = secrets.token_urlsafe(32)
        with self._lock:
            self._sessions[sid] = self._clock() + SESSION_TTL
        return sid

    def valid(self, sid: str | None) -> bool:
        if not sid:
            return False
        with self._lock:
            expires = self._sessions.get(sid)
            if expires is not None and expires <= self._clock():
                del self._sessions[sid]
                expires = None
        return expires is not None

    def end(self, sid: str | None) -> None:
        with self._lock:
            self._sessions.pop(sid or "", None)

    def set_cookie(self, sid: str, max_age: int = int(SESSION_TTL)) -> str:
        """The Set-Cookie value of session ``sid`` (an empty one with max_age=0 logs out)."""
        return f"{self.cookie}={sid}; HttpOnly; SameSite=Strict; Path=/; Max-Age={max_age}"

    def session_in(self, cookie_header: str | None) -> str | None:
        """This service's session id in a Cookie header."""
        for part in (cookie_header or "").split(";"):
            key, _, value = part.strip().partition("=")
            if key == self.cookie:
                return value
        return None


def token_ok(given: str | None, token: str) -> bool:
    """Is ``given`` the service token (compared in constant time)?"""
    return bool(given) and hmac.compare_digest(given.encode(), token.encode())


def _headers(scope) -> dict[str, str]:
    out: dict[str, str] = {}
    for k, v in scope.get("headers", []):
        out.setdefault(k.decode("latin-1").lower(), v.decode("latin-1"))
    return out


class Guard:
    """ASGI middleware for ``/ui``: Host, origin and login checks; security headers.

    ``check(scope)`` returns None when the request may go on, else (status, message)."""

    def __init__(self, app, token: str, port: int, logins: Logins):
        self.app = app
        self.token = token
        self.hosts = {f"127.0.0.1:{port}", f"localhost:{port}"}
        self.origins = {f"http://{h}" for h in self.hosts}
        self.logins = logins

    def has_token(self, headers: dict[str, str]) -> bool:
        return token_ok(headers.get(TOKEN_HEADER.lower()), self.token)

    def check(self, scope) -> tuple[int, str] | None:
        headers = _headers(scope)
        if headers.get("host", "").lower() not in self.hosts:
            return 403, "拒绝访问：Host 头应为 127.0.0.1 或 localhost 加本服务的端口。"
        origin = headers.get("origin")
        if origin is not None and origin.lower() not in self.origins:
            return 403, "拒绝访问：请求来自其他网页（Origin 不是积分助手本身）。"
        if headers.get("sec-fetch-site", "none") not in ("same-origin", "none"):
            return 403, "拒绝访问：请求来自其他网页（跨站请求）。"
        if not scope["path"].startswith("/ui/api/"):
            return None
        if self.has_token(headers):
            return None
        if not self.logins.valid(self.logins.session_in(headers.get("cookie"))):
            return 401, "没有登录或登录已过期：请重新双击桌面上的“积分助手”，或运行 jifen ui。"
        if scope.get("method", "GET") not in SAFE_METHODS and origin is None:
            return 403, "拒绝访问：修改文件的请求必须来自积分助手页面（缺少 Origin）。"
        return None

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        refused = self.check(scope)
        if refused is not None:
            from starlette.responses import JSONResponse
            response = JSONResponse({"message": refused[1]}, status_code=refused[0])
            await _with_headers(response)(scope, receive, send)
            return

        async def send_secured(message):
            if message["type"] == "http.response.start":
                names = {k.lower() for k, _ in message.get("headers", [])}
                message["headers"] = list(message.get("headers", [])) + [
                    (k, v) for k, v in SECURITY_HEADERS if k not in names]
            await send(message)
        await self.app(scope, receive, send_secured)


def _with_headers(response):
    for k, v in SECURITY_HEADERS:
        response.headers[k.decode()] = v.decode()
    return response
