# -*- coding: utf-8 -*-
"""Add or remove the 积分 extension in a LibreOffice profile through the UNO ExtensionManager.

Run by `jifen install-libreoffice` with a Python that can `import uno` (LibreOffice's own on
Windows/macOS, python3-uno on Linux):

    python uno_install.py PROFILE_DIR OXT_FILE add|remove

`unopkg add` refuses per-user installs when run as root; the ExtensionManager with a command
environment that approves the license/permission questions works for every user.
Standard library + uno only.
"""
import os
import shutil
import subprocess
import sys
import time
import uuid

import uno
import unohelper
from com.sun.star.task import XInteractionHandler, XInteractionApprove
from com.sun.star.ucb import XCommandEnvironment, XProgressHandler

IDENTIFIER = "org.jifen-xl.calc"


class Approve(unohelper.Base, XCommandEnvironment, XInteractionHandler, XProgressHandler):
    def getInteractionHandler(self):
        return self

    def getProgressHandler(self):
        return self

    def handle(self, request):
        for c in request.getContinuations():
            if c.queryInterface(uno.getTypeByName("com.sun.star.task.XInteractionApprove")):
                c.select()
                return

    def push(self, status):
        pass

    def update(self, status):
        pass

    def pop(self):
        pass


def soffice():
    here = os.path.dirname(sys.executable)
    for cand in (os.environ.get("JIFEN_SOFFICE"), os.path.join(here, "soffice.exe"), os.path.join(here, "soffice"),
                 shutil.which("soffice"), shutil.which("libreoffice"), "/usr/lib/libreoffice/program/soffice"):
        if cand and os.path.exists(cand):
            return cand
    raise SystemExit("没有找到 LibreOffice（soffice）。")


def main():
    profile, oxt, op = sys.argv[1], sys.argv[2], sys.argv[3]
    pipe = "jifen-install-" + uuid.uuid4().hex
    proc = subprocess.Popen([soffice(), "-env:UserInstallation=" + uno.systemPathToFileUrl(os.path.abspath(profile)),
                             "--headless", "--invisible", "--norestore", "--nologo", "--nodefault",
                             "--nolockcheck", "--accept=pipe,name=%s;urp;" % pipe],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    local = uno.getComponentContext()
    resolver = local.ServiceManager.createInstanceWithContext("com.sun.star.bridge.UnoUrlResolver", local)
    ctx = None
    for _ in range(600):
        try:
            ctx = resolver.resolve("uno:pipe,name=%s;urp;StarOffice.ComponentContext" % pipe)
            break
        except Exception:
            if proc.poll() is not None:
                raise SystemExit("LibreOffice 启动失败（%s）。" % proc.returncode)
            time.sleep(0.1)
    if ctx is None:
        proc.kill()
        raise SystemExit("连接 LibreOffice 超时。")
    try:
        em = ctx.getValueByName("/singletons/com.sun.star.deployment.ExtensionManager")
        env = Approve()
        if op == "add":
            em.addExtension(uno.systemPathToFileUrl(os.path.abspath(oxt)), (), "user", em.createAbortChannel(), env)
        else:
            for ext in em.getDeployedExtensions("user", em.createAbortChannel(), env):
                if ext.getIdentifier().Value == IDENTIFIER:
                    em.removeExtension(IDENTIFIER, ext.getName(), "user", em.createAbortChannel(), env)
        names = [e.getIdentifier().Value for e in em.getDeployedExtensions("user", em.createAbortChannel(), env)]
        print("installed" if IDENTIFIER in names else "absent")
    finally:
        try:
            ctx.ServiceManager.createInstanceWithContext("com.sun.star.frame.Desktop", ctx).terminate()
        except Exception:
            pass
        try:
            proc.wait(timeout=60)
        except subprocess.TimeoutExpired:
            proc.kill()


if __name__ == "__main__":
    try:
        main()
    except Exception as exc:      # a Chinese line for the installer to show, no traceback
        detail = getattr(exc, "Message", None) or str(exc) or type(exc).__name__
        sys.stderr.write("LibreOffice 扩展管理器报错（%s）：%s\n" % (type(exc).__name__, detail.strip().splitlines()[0]))
        sys.exit(3)
