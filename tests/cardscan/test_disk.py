"""The free space a service keeps on the disk of its data."""

import shutil

from health_support import FakeDisk

from cardscan import disk
from cardscan.disk import FreeSpace

MB = 1024 * 1024


def test_the_free_space_read_is_what_this_user_may_write(tmp_path):
    free = disk.free_bytes(tmp_path)

    # Other programs write meanwhile: the two readings come close.
    assert abs(free - shutil.disk_usage(tmp_path).free) < 64 * MB


def test_a_disk_short_of_space_is_told_naming_the_folder_its_space_and_the_minimum(
    tmp_path, monkeypatch
):
    fake = FakeDisk(free=100 * MB - 1)
    monkeypatch.setattr(disk, "free_bytes", fake.free_bytes)

    short = FreeSpace(tmp_path, 100, "the relay").check()
    fake.free = 100 * MB
    enough = FreeSpace(tmp_path, 100, "the relay").check()

    assert short == (
        False,
        f"the disk of {tmp_path} has 99 MB free, under the 100 MB the relay keeps"
        " free (MIN_FREE_DISK_MB)",
    )
    assert enough == (True, "")


def test_a_folder_not_made_yet_is_checked_on_the_disk_it_goes_on(tmp_path, monkeypatch):
    fake = FakeDisk(free=500 * MB)
    monkeypatch.setattr(disk, "free_bytes", fake.free_bytes)

    checked = FreeSpace(tmp_path / "uploads", 100, "the relay").check()

    assert checked == (True, "")
    assert fake.asked == [tmp_path]


def test_a_disk_whose_free_space_cannot_be_read_is_told_so(tmp_path):
    gone = tmp_path / "gone" / "uploads"

    checked = FreeSpace(gone, 100, "the relay").check()

    assert checked == (
        False,
        f"the free space on the disk of {gone} cannot be read: No such file or "
        "directory",
    )
