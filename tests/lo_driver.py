# -*- coding: utf-8 -*-
"""Press the 积分 toolbar buttons in a headless LibreOffice, as a click does (issue #17).

Run with a Python that can import uno (Debian's python3 with python3-uno; the test suite's
venv cannot):

    python3 tests/lo_driver.py JOB.json

JOB.json: {"profile": DIR, "jobs": [{"book": PATH, "presses": [[COMMAND, SAVE_AS], ...]}]}.
The buttons are read from the installed add-on configuration (URL per caption), each press is
``DispatchHelper.executeDispatch(frame, URL, "", 0, ())`` on the document's frame, and the
document is stored as .xlsx after each press. Prints a JSON report (toolbar, timings).
"""
import json
import os
import subprocess
import sys
import time
import uuid

import uno
from com.sun.star.beans import PropertyValue

from jifen_xl.book.childenv import clean_env      # PYTHONPATH of the test run names the repo


def prop(name, value):
    p = PropertyValue()
    p.Name, p.Value = name, value
    return p


def connect(profile):
    pipe = "jifen-test-" + uuid.uuid4().hex
    office = os.environ.get("JIFEN_SOFFICE") or "soffice"
    proc = subprocess.Popen([office, "-env:UserInstallation=" + uno.systemPathToFileUrl(os.path.abspath(profile)),
                             "--headless", "--invisible", "--norestore", "--nologo", "--nodefault",
                             "--nolockcheck", "--accept=pipe,name=%s;urp;" % pipe],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=clean_env())
    local = uno.getComponentContext()
    resolver = local.ServiceManager.createInstanceWithContext("com.sun.star.bridge.UnoUrlResolver", local)
    for _ in range(900):
        try:
            return proc, resolver.resolve("uno:pipe,name=%s;urp;StarOffice.ComponentContext" % pipe)
        except Exception:
            if proc.poll() is not None:
                raise SystemExit("soffice exited with %s" % proc.returncode)
            time.sleep(0.1)
    proc.kill()
    raise SystemExit("could not connect to soffice")


def toolbar(ctx):
    """{caption: URL} of the installed 积分 toolbar, read as LibreOffice reads it."""
    provider = ctx.ServiceManager.createInstanceWithContext("com.sun.star.configuration.ConfigurationProvider", ctx)
    access = provider.createInstanceWithArguments(
        "com.sun.star.configuration.ConfigurationAccess",
        (prop("nodepath", "/org.openoffice.Office.Addons/AddonUI/OfficeToolBar"), prop("Locale", "zh-CN")))
    out = {}
    for bar in access.getElementNames():
        if not bar.startswith("org.jifen-xl"):
            continue
        node = access.getByName(bar)
        for item in node.getElementNames():
            entry = node.getByName(item)
            out[entry.getByName("Title")] = {"url": entry.getByName("URL"), "context": entry.getByName("Context")}
    menus = provider.createInstanceWithArguments(
        "com.sun.star.configuration.ConfigurationAccess",
        (prop("nodepath", "/org.openoffice.Office.Addons/AddonUI/OfficeMenuBar"), prop("Locale", "zh-CN")))
    menu = {}
    for name in menus.getElementNames():
        if name.startswith("org.jifen-xl"):
            node = menus.getByName(name)
            sub = node.getByName("Submenu")
            menu[node.getByName("Title")] = [sub.getByName(i).getByName("Title") for i in sub.getElementNames()]
    return out, menu


def main():
    job = json.load(open(sys.argv[1], encoding="utf-8"))
    proc, ctx = connect(job["profile"])
    report = {"presses": []}
    try:
        smgr = ctx.ServiceManager
        desktop = smgr.createInstanceWithContext("com.sun.star.frame.Desktop", ctx)
        dispatcher = smgr.createInstanceWithContext("com.sun.star.frame.DispatchHelper", ctx)
        buttons, menu = toolbar(ctx)
        report["toolbar"] = {k: v["context"] for k, v in buttons.items()}
        report["menu"] = menu
        captions = job.get("captions", {})
        for item in job["jobs"]:
            t0 = time.perf_counter()
            doc = desktop.loadComponentFromURL(uno.systemPathToFileUrl(os.path.abspath(item["book"])), "_blank", 0,
                                               (prop("Hidden", True),))
            load = time.perf_counter() - t0
            frame = doc.getCurrentController().getFrame()
            for command, save_as in item["presses"]:
                url = buttons[captions[command]]["url"]
                t0 = time.perf_counter()
                dispatcher.executeDispatch(frame, url, "", 0, ())
                pressed = time.perf_counter() - t0
                doc.storeToURL(uno.systemPathToFileUrl(os.path.abspath(save_as)),
                               (prop("FilterName", "Calc MS Excel 2007 XML"),))
                report["presses"].append({"book": item["book"], "command": command, "seconds": pressed,
                                          "load_seconds": load})
            doc.close(True)
    finally:
        try:
            desktop.terminate()
        except Exception:
            pass
        try:
            proc.wait(timeout=60)
        except subprocess.TimeoutExpired:
            proc.kill()
    print(json.dumps(report, ensure_ascii=False))


if __name__ == "__main__":
    main()
