"""Operating-system errors in the clerk's words ("Read-only file system" and the
like reached messages that are otherwise Chinese). Pure: an errno (and on Windows a
winerror) to a short Chinese phrase."""
from __future__ import annotations

import errno

_REASONS = {
    errno.EROFS: "磁盘或文件夹是只读的",
    errno.EACCES: "没有权限",
    errno.EPERM: "没有权限",
    errno.ENOENT: "找不到文件或文件夹",
    errno.ENOSPC: "磁盘空间不足",
    errno.ENAMETOOLONG: "文件名或路径太长",
    errno.EISDIR: "这是一个文件夹",
    errno.ENOTDIR: "路径中有一部分不是文件夹",
    errno.EBUSY: "文件正被其他程序占用",
    errno.ETXTBSY: "文件正被其他程序占用",
    errno.ELOOP: "链接指向自己（循环链接）",
    errno.EIO: "磁盘读写出错",
    errno.EEXIST: "文件已存在",
    errno.EMFILE: "同时打开的文件太多",
    errno.ENFILE: "同时打开的文件太多",
    errno.EXDEV: "不能跨磁盘移动文件",
    errno.ETIMEDOUT: "网络或磁盘响应超时",
    errno.EAGAIN: "文件正被其他程序锁定",
    errno.ENXIO: "设备不存在或没有连接",
    errno.ENODEV: "设备不存在或没有连接",
    errno.EINVAL: "文件名或参数无效",
    errno.EFBIG: "文件太大",
    errno.ENOMEM: "内存不足",
}
_DQUOT = getattr(errno, "EDQUOT", None)
if _DQUOT is not None:
    _REASONS[_DQUOT] = "超出磁盘配额"
_WINERRORS = {5: "没有权限", 32: "文件正被其他程序占用", 33: "文件的一部分被其他程序锁定",
              112: "磁盘空间不足", 206: "文件名或路径太长", 1224: "文件正被其他程序映射占用"}


def os_reason(exc: BaseException) -> str:
    """A short Chinese reason for ``exc`` (an OSError; anything else: a generic phrase)."""
    winerror = getattr(exc, "winerror", None)
    if winerror in _WINERRORS:
        return _WINERRORS[winerror]
    code = getattr(exc, "errno", None)
    if code in _REASONS:
        return _REASONS[code]
    if isinstance(exc, PermissionError):
        return "没有权限"
    if isinstance(exc, FileNotFoundError):
        return "找不到文件或文件夹"
    return f"系统错误（错误码 {code}）" if code else "系统错误"
