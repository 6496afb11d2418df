"""Column headers as typed versus the template's (SPEC C-6).

Every spelling of a template header is either read or an 错误, never silently ignored (a
column not read falls back to its default: every 次数 would count as 1):

* **Read, with a 提示**, when it equals the template header once normalised
  (``header_key``): full/half width (NFKC), traditional characters (``次數``), spaces and
  markers (``*次数：``), brackets round the whole header (``【次数】``, ``(次数)``), a
  trailing unit in brackets (``次数（次）``) and trailing digits (``次数1``). Two columns
  that both normalise to one missing header are an 错误 (which one is meant?).
* **An 错误 naming both** when, the template header being missing, a column resembles it
  (``resembles``): one character off (headers of three or more characters), the same
  characters in another order (``数次``), holding the whole header (``总次数``), or a known
  synonym (``Count``, ``分数``). A
  synonym is not read: it may well be a column of the clerk's own.
"""
from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable

from .problems import ERROR, NOTICE, Problem

# Traditional (and variant) forms of the characters in our headers -> simplified. Only the
# characters of our own headers matter, so a table, not a conversion library.
_TRADITIONAL = str.maketrans({
    "與": "与", "價": "价", "衝": "冲", "沖": "冲", "務": "务", "參": "参", "號": "号", "員": "员",
    "備": "备", "學": "学", "審": "审", "對": "对", "屬": "属", "庫": "库", "錄": "录", "態": "态",
    "總": "总", "報": "报", "據": "据", "數": "数", "時": "时", "來": "来", "狀": "状", "類": "类",
    "組": "组", "經": "经", "結": "结", "編": "编", "職": "职", "議": "议", "記": "记", "證": "证",
    "評": "评", "試": "试", "負": "负", "責": "责", "賬": "账", "帳": "账", "適": "适", "間": "间",
    "項": "项", "順": "顺", "額": "额", "戶": "户", "戸": "户", "別": "别", "點": "点", "積": "积",
    "稱": "称", "辦": "办", "開": "开", "週": "周", "碼": "码", "幹": "干", "註": "注", "長": "长",
    "單": "单", "設": "设", "這": "这", "種": "种", "級": "级", "獎": "奖", "勵": "励", "選": "选",
    "實": "实", "現": "现", "農": "农", "內": "内", "門": "门", "檢": "检", "査": "查", "計": "计",
    "產": "产", "資": "资", "機": "机", "關": "关", "黨": "党", "會": "会", "條": "条", "處": "处",
})

_NOISE = re.compile(r"[\s\u3000*:_\-]+")
_OPEN, _CLOSE = "(\\[【<《〔「『{", ")\\]】>》〕」』}"
_WRAPPED = re.compile(f"^[{_OPEN}]([^{_OPEN}{_CLOSE}]*)[{_CLOSE}]$")
_UNIT = re.compile(f"[{_OPEN}][^{_OPEN}{_CLOSE}]*[{_CLOSE}]$")
_DIGITS = re.compile(r"(?<=\D)\d+$")

# Known synonyms (after header_key) of template headers: an 错误 naming both, never read.
SYNONYMS: dict[str, tuple[str, ...]] = {
    "次数": ("count", "times", "数目", "次"),
    "日期": ("date", "时间", "日子"),
    "分值": ("points", "point", "score", "分数", "得分"),
    "代码": ("code", "编码"),
    "备注": ("remark", "remarks", "note", "notes", "说明"),
    "学号": ("studentid", "studentno", "学生编号"),
    "户号": ("householdid", "户编号"),
    "对象": ("target", "student"),
    "记录人": ("recorder", "记录者", "登记人"),
    "编号": ("serial", "序号"),
    "冲正": ("reversal", "更正", "撤销"),
    "状态": ("status",),
    "姓名": ("name",),
    "数量": ("quantity", "qty", "件数"),
    "账户号": ("account", "账号", "账户"),
}
_SYNONYM_OF = {s: h for h, syns in SYNONYMS.items() for s in syns}


def header_key(text: str) -> str:
    """A header normalised (see the module docstring): ``次 数``, ``次數``, ``【次数】``,
    ``(次数)``, ``次数（次）``, ``*次数：`` and ``次数1`` all give ``次数``."""
    t = unicodedata.normalize("NFKC", str(text)).translate(_TRADITIONAL)
    t = _NOISE.sub("", t)
    m = _WRAPPED.match(t)
    if m and m[1]:
        t = m[1]
    t = _UNIT.sub("", t) or t
    t = _DIGITS.sub("", t)
    return _NOISE.sub("", t).casefold()


def _one_edit(a: str, b: str) -> bool:
    """True when ``a`` and ``b`` differ by exactly one inserted, deleted or changed character."""
    if a == b or abs(len(a) - len(b)) > 1:
        return False
    if len(a) > len(b):
        a, b = b, a
    i = 0
    while i < len(a) and a[i] == b[i]:
        i += 1
    return a[i + (len(a) == len(b)):] == b[i + 1:]


def resembles(extra: str, known: str) -> bool:
    """Does the header ``extra`` (not in the contract) look like ``known``? Equal after
    ``header_key``, the same characters in another order, a known synonym, holding the whole
    known header (``总次数``), or one character off when the known header has three or more
    characters (two-character headers differ by one character far too often)."""
    a, b = header_key(extra), header_key(known)
    if not a:
        return False
    return (a == b or (len(a) >= 2 and sorted(a) == sorted(b)) or _SYNONYM_OF.get(a) == known
            or (len(b) >= 2 and b in a) or (len(b) >= 3 and _one_edit(a, b)))


def canonical_headers(sheet: str, header: list[str], expected: Iterable[str], header_row: int
                      ) -> tuple[list[str], list[Problem]]:
    """``header`` with each spelling of a missing template header (equal after
    ``header_key``) replaced by the template's, and a 提示 for each; two candidates for one
    header are an 错误 and neither is read."""
    expected = [e for e in expected if e]
    present = set(header)
    wanted: dict[str, str] = {}
    for e in expected:
        if e not in present:
            wanted.setdefault(header_key(e), e)
    if not wanted:
        return header, []
    known = set(expected)
    found: dict[str, list[int]] = {}
    for i, h in enumerate(header):
        if h and h not in known:
            e = wanted.get(header_key(h))
            if e is not None:
                found.setdefault(e, []).append(i)
    if not found:
        return header, []
    out, notes = list(header), []
    for e, idx in found.items():
        if len(idx) == 1:
            out[idx[0]] = e
            notes.append(Problem(sheet, header_row, e, header[idx[0]],
                                 f"列标题“{header[idx[0]]}”按“{e}”读取", NOTICE))
        else:
            typed = "”“".join(header[i] for i in idx)
            notes.append(Problem(sheet, header_row, header[idx[0]], header[idx[0]],
                                 f"列标题“{typed}”都像模板的“{e}”，无法确定读哪一列；"
                                 f"请把要读的那一列标题改为“{e}”，另一列换一个不易混淆的标题", ERROR))
    return out, notes


def header_problems(sheet: str, header: list[str], header_row: int, headers: Iterable[str]) -> list[Problem]:
    """An 错误 for each header that is not one of ``headers`` but resembles one of them that is
    missing from the sheet: that column would be silently ignored. Other extra
    columns are the user's own and fine."""
    headers = list(headers)
    present = set(header)
    missing = [h for h in headers if h not in present]
    if not missing:
        return []
    known = set(headers)
    out = []
    for h in header:
        if not h or h in known:
            continue
        for m in missing:
            if resembles(h, m):
                out.append(Problem(sheet, header_row, h, h,
                                   f"列标题“{h}”与模板的“{m}”相近但不相同，这一列不会被读取；"
                                   f"请把标题改为“{m}”（如果这是您自己加的列，请换一个不易混淆的标题）"))
                break
    return out
