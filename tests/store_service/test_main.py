"""Starting and stopping ``python -m store_service`` as a process."""

import sqlite3
import subprocess
import sys

import pytest

from cardscan.stack import free_port, wait_healthy
from store_service import config


def run_store(
    env: dict[str, str], prefix: tuple[str, ...] | list[str] = ()
) -> subprocess.CompletedProcess:
    """Runs ``python -m store_service`` with only this environment, to its
    end; the prefix, if any, starts its command line."""
    return subprocess.run(
        [*prefix, sys.executable, "-m", "store_service"],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )


def test_store_stops_cleanly_on_sigterm(stack_parts):
    stack_parts.start_store()
    process = stack_parts.processes["store"]

    stack_parts.stop_process("store")

    assert process.returncode == 0
    assert (stack_parts.data_dir / "store.sqlite3").is_file()


def test_the_database_is_readable_by_its_owner_alone_whatever_the_umask(tmp_path):
    address = f"127.0.0.1:{free_port()}"
    env = {"STORE_LISTEN": address, "CARDSCAN_DATA_DIR": str(tmp_path)}
    store = subprocess.Popen(
        [sys.executable, "-m", "store_service"], env=env, umask=0o022
    )
    try:
        wait_healthy(address, store, "the store")
    finally:
        store.terminate()
        store.wait(30)

    modes = {path.name: path.stat().st_mode & 0o777 for path in tmp_path.iterdir()}
    assert modes["store.sqlite3"] == 0o600
    assert set(modes.values()) == {0o600}


@pytest.mark.parametrize(
    ("raw", "words"),
    [
        ("some", "store: MIN_FREE_DISK_MB must be a whole number, not 'some'"),
        ("-1", "store: MIN_FREE_DISK_MB must be zero or above, not '-1'"),
    ],
)
def test_a_bad_free_space_setting_stops_start_up_naming_it(tmp_path, raw, words):
    env = {
        "MIN_FREE_DISK_MB": raw,
        "STORE_LISTEN": f"127.0.0.1:{free_port()}",
        "CARDSCAN_DATA_DIR": str(tmp_path),
    }

    finished = run_store(env)

    assert finished.returncode != 0
    assert finished.stderr.strip() == words
    assert not (tmp_path / "store.sqlite3").exists()


@pytest.mark.parametrize(("env", "kept"), [({}, 100), ({"MIN_FREE_DISK_MB": "0"}, 0)])
def test_the_free_space_the_store_keeps_is_a_setting(env, kept):
    assert config.load(env).min_free_disk_mb == kept


def test_unreachable_mongo_fails_start_up_naming_mongo_url(tmp_path):
    # Nothing listens on a fresh loopback port, so MongoDB cannot be reached.
    env = {
        "MONGO_URL": f"mongodb://127.0.0.1:{free_port()}",
        "STORE_LISTEN": f"127.0.0.1:{free_port()}",
        "CARDSCAN_DATA_DIR": str(tmp_path),
    }

    finished = run_store(env)

    assert finished.returncode != 0
    assert "cannot reach MongoDB at MONGO_URL" in finished.stderr
    assert not (tmp_path / "store.sqlite3").exists()


def test_a_malformed_mongo_url_fails_start_up_naming_mongo_url(tmp_path):
    env = {
        "MONGO_URL": "http://127.0.0.1:27017",
        "STORE_LISTEN": f"127.0.0.1:{free_port()}",
        "CARDSCAN_DATA_DIR": str(tmp_path),
    }

    finished = run_store(env)

    assert finished.returncode != 0
    assert "MONGO_URL is not a usable MongoDB URL" in finished.stderr


def test_a_second_store_on_a_taken_port_stops_instead_of_sharing_it(
    stack_parts, tmp_path
):
    stack_parts.start_store()
    env = {
        "STORE_LISTEN": stack_parts.store_address,
        "CARDSCAN_DATA_DIR": str(tmp_path),
    }

    finished = run_store(env)

    assert finished.returncode == 1
    assert f"cannot listen on {stack_parts.store_address}" in finished.stderr
    assert "Traceback" not in finished.stderr
    assert not (tmp_path / "store.sqlite3").exists()
    assert stack_parts.processes["store"].poll() is None


def test_a_file_that_is_no_database_stops_start_up_naming_it(tmp_path):
    (tmp_path / "store.sqlite3").write_text("garbage")
    env = {
        "STORE_LISTEN": f"127.0.0.1:{free_port()}",
        "CARDSCAN_DATA_DIR": str(tmp_path),
    }

    finished = run_store(env)

    assert finished.returncode != 0
    assert finished.stderr.strip().endswith(
        f"store: cannot open the SQLite database {tmp_path / 'store.sqlite3'}: file "
        "is not a database; move the file aside or choose another data folder "
        "(CARDSCAN_DATA_DIR, or `cardscan up --data-dir`)"
    )
    assert "Traceback" not in finished.stderr


@pytest.mark.parametrize("fresh", [True, False])
def test_a_data_folder_this_user_cannot_write_stops_start_up_saying_so(
    tmp_path, respecting_permissions, fresh
):
    data = tmp_path / "data"
    data.mkdir()
    if not fresh:
        # As a folder a stack ran from before: the database is there, but
        # SQLite cannot make its write-ahead log beside it.
        sqlite3.connect(data / "store.sqlite3").execute("CREATE TABLE t (x)")
    env = {"STORE_LISTEN": f"127.0.0.1:{free_port()}", "CARDSCAN_DATA_DIR": str(data)}
    data.chmod(0o555)
    try:
        finished = run_store(env, respecting_permissions)
    finally:
        data.chmod(0o755)

    assert finished.returncode == 1
    assert finished.stderr.strip().endswith(
        f"store: cannot open the SQLite database {data / 'store.sqlite3'}: the "
        f"folder {data} is not writable by this user; make it writable or choose "
        "another data folder (CARDSCAN_DATA_DIR, or `cardscan up --data-dir`)"
    )
    assert "Traceback" not in finished.stderr


def test_a_database_file_this_user_cannot_write_stops_start_up_saying_so(
    tmp_path, respecting_permissions
):
    path = tmp_path / "store.sqlite3"
    sqlite3.connect(path).execute("CREATE TABLE t (x)")
    path.chmod(0o444)
    env = {
        "STORE_LISTEN": f"127.0.0.1:{free_port()}",
        "CARDSCAN_DATA_DIR": str(tmp_path),
    }

    finished = run_store(env, respecting_permissions)

    assert finished.returncode == 1
    assert finished.stderr.strip().endswith(
        f"store: cannot open the SQLite database {path}: the file {path} is not "
        "readable and writable by this user; make it so or choose another data "
        "folder (CARDSCAN_DATA_DIR, or `cardscan up --data-dir`)"
    )


def test_a_folder_where_the_database_file_should_be_stops_start_up_saying_so(
    tmp_path,
):
    path = tmp_path / "store.sqlite3"
    path.mkdir()
    env = {
        "STORE_LISTEN": f"127.0.0.1:{free_port()}",
        "CARDSCAN_DATA_DIR": str(tmp_path),
    }

    finished = run_store(env)

    assert finished.returncode == 1
    assert finished.stderr.strip().endswith(
        f"store: {path} is a folder, where cardscan keeps a file of its own; "
        "remove it, or use a data folder no one else writes in "
        "(CARDSCAN_DATA_DIR, or `cardscan up --data-dir`)"
    )
