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
    refuse_link(path)
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_NOFOLLOW | flags, 0o600)
    os.fchmod(descriptor, 0o600)
    return os.fdopen(descriptor, "wb")


def read_own(path: Path) -> str:
    """The text of a file cardscan wrote for its user, such as the record of
    the stack it runs: a file another user could have put or changed, in a
    shared data folder, is refused, as cardscan would act on what it says
    (start the commands it names, signal the processes it names)."""
    refuse_link(path)
    descriptor = os.open(path, os.O_RDONLY | os.O_NOFOLLOW)
    with os.fdopen(descriptor, "rb") as handle:
        owner = os.fstat(descriptor)
        if owner.st_uid != os.geteuid():
            raise InvalidInput(
                f"{path} belongs to another user (uid {owner.st_uid}), where "
                "cardscan keeps a file of its own; remove it, or use a data "
                "folder no one else writes in"
            )
        if owner.st_mode & 0o022:
            raise InvalidInput(
                f"{path} can be changed by other users (mode "
                f"{stat.S_IMODE(owner.st_mode):04o}), where cardscan keeps a file "
                f"of its own; make it theirs alone (chmod go-w {path}), or remove it"
            )
        return handle.read().decode()


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
