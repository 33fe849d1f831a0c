"""The free space a service keeps on the disk of its data: under a minimum
it reports NOT_SERVING, so that uploads go where they can be kept rather
than fail one by one on a full disk."""

import asyncio
import os
from dataclasses import dataclass
from pathlib import Path

from cardscan.health import STORE_CHECK_SECONDS, Answers, Dependency

MB = 1024 * 1024
# The setting that gives the minimum in MB; 0 turns the check off.
SETTING = "MIN_FREE_DISK_MB"
DEFAULT_MIN_FREE_MB = 100


def free_bytes(path: Path) -> int:
    """The bytes this user may still write on the disk holding the path."""
    found = os.statvfs(path)
    return found.f_bavail * found.f_frsize


@dataclass(frozen=True)
class FreeSpace:
    """The free space a service, its keeper, keeps on the disk of a folder."""

    folder: Path
    min_free_mb: int
    # The service as its reason names it, such as "the gateway".
    keeper: str

    def dependency(self) -> Dependency:
        """The disk, as the keeper's standing tells its loss and return."""
        return Dependency(
            f"the disk of {self.folder}",
            lost="is nearly full",
            back="has room again",
            waited=False,
        )

    def check(self) -> tuple[bool, str]:
        """Whether the disk has the minimum free, and if not, why, naming
        the folder, its free space and the minimum; True while the check is
        off, with a minimum of 0."""
        if not self.min_free_mb:
            return True, ""
        try:
            free = free_bytes(self._made_folder())
        except OSError as error:
            return False, (
                f"the free space on the disk of {self.folder} cannot be read: "
                f"{error.strerror}"
            )
        if free >= self.min_free_mb * MB:
            return True, ""
        return False, (
            f"the disk of {self.folder} has {free // MB} MB free, under the "
            f"{self.min_free_mb} MB {self.keeper} keeps free ({SETTING})"
        )

    async def watch(self, tell: Answers) -> None:
        """Tells whether the disk has the minimum free, at once and then as
        often as the store is asked whether it serves, until cancelled;
        returns at once while the check is off."""
        while self.min_free_mb:
            await tell(*self.check())
            await asyncio.sleep(STORE_CHECK_SECONDS)

    def _made_folder(self) -> Path:
        """The folder, or the one it goes in while it is not made yet."""
        return self.folder if self.folder.exists() else self.folder.parent
