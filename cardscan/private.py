"""Files and folders cardscan makes for its user alone: the contacts, the
cards' images, the logs and the settings (MONGO_URL, password and all).

A data folder may be shared (``--data-dir /tmp``), where another user may
have put a symbolic link under a name cardscan writes: cardscan follows
none, refusing to write there, so that it opens, changes or closes no file
of anyone else's.
"""

import os
import stat
from contextlib import suppress
from pathlib import Path
from typing import BinaryIO

from cardscan.errors import InvalidInput


def open_private(path: Path, flags: int) -> BinaryIO:
    """The file opened for writing in binary, with the flags, made if need
    be and readable by its owner alone, as one made before is made now."""
    refuse_foreign(path)
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_NOFOLLOW | flags, 0o600)
    os.fchmod(descriptor, 0o600)
    return os.fdopen(descriptor, "wb")


def read_own(path: Path) -> str:
    """The text of a file cardscan wrote for its user, such as the record of
    the stack it runs: a file another user could have put or changed, in a
    shared data folder, is refused, as cardscan would act on what it says
    (start the commands it names, signal the processes it names)."""
    refuse_link(path)
    # Not blocking, a named pipe put in the file's place cannot hold the
    # open until someone writes to it.
    descriptor = os.open(path, os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK)
    try:
        status = os.fstat(descriptor)
        refuse_unless_own(path, status)
        if status.st_mode & 0o022:
            raise InvalidInput(
                f"{path} can be changed by other users (mode "
                f"{stat.S_IMODE(status.st_mode):04o}), where cardscan keeps a file "
                f"of its own; make it theirs alone (chmod go-w {path}), or remove it"
            )
    except BaseException:
        os.close(descriptor)
        raise
    with os.fdopen(descriptor, "rb") as handle:
        return handle.read().decode()


def refuse_foreign(path: Path) -> None:
    """Fails where anything but a file of cardscan's user stands under a
    name cardscan keeps a file of its own by, as the store's database: a
    symbolic link, a folder or pipe, another user's file."""
    refuse_link(path)
    with suppress(FileNotFoundError):
        refuse_unless_own(path, path.lstat())


# What the things that are no plain file are called.
_NOT_FILES = {
    stat.S_IFDIR: "a folder",
    stat.S_IFIFO: "a named pipe",
    stat.S_IFSOCK: "a socket",
    stat.S_IFCHR: "a device",
    stat.S_IFBLK: "a device",
}


def refuse_unless_own(path: Path, status: os.stat_result) -> None:
    """Fails unless the status is that of a plain file of cardscan's user."""
    if not stat.S_ISREG(status.st_mode):
        kind = _NOT_FILES.get(stat.S_IFMT(status.st_mode), "no plain file")
        raise InvalidInput(
            f"{path} is {kind}, where cardscan keeps a file of its own; remove "
            "it, or use a data folder no one else writes in"
        )
    if status.st_uid != os.geteuid():
        raise InvalidInput(
            f"{path} belongs to another user (uid {status.st_uid}), where "
            "cardscan keeps a file of its own; use a data folder no one else "
            "writes in, or have its owner remove it"
        )


def make_data_dir(path: Path) -> None:
    """Makes the data folder closed to all but its owner; one that exists
    is left as it is, as it may be shared (--data-dir /tmp), the files and
    folders cardscan makes in it being its owner's alone all the same."""
    if not path.is_dir():
        path.parent.mkdir(parents=True, exist_ok=True)
        path.mkdir(mode=0o700, exist_ok=True)


def make_own_dir(path: Path) -> None:
    """Makes a folder of cardscan's own in the data folder (its logs, NATS's
    files, the upload spools), or closes one made before to all but its
    owner, whose own rights it keeps (one made read-only stays so); another
    user's folder, shared on purpose, is left as it is."""
    make_data_dir(path.parent)
    refuse_link(path)
    path.mkdir(mode=0o700, exist_ok=True)
    mode = path.stat().st_mode
    if mode & 0o077:
        with suppress(PermissionError):
            os.chmod(path, stat.S_IMODE(mode) & 0o700, follow_symlinks=False)


def refuse_link(path: Path) -> None:
    """Fails where a symbolic link stands under a name cardscan keeps a
    file or folder of its own by."""
    if path.is_symlink():
        raise InvalidInput(
            f"{path} is a symbolic link, where cardscan keeps a file or folder "
            "of its own; remove it, or use a data folder no one else writes in"
        )
