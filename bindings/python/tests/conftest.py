"""Fixtures: every store test runs on the in-memory and on the redb (file) backend."""

import pytest

from neotalk_storage import StorageManager


@pytest.fixture(params=["memory", "redb"])
def db(request, tmp_path):
    if request.param == "memory":
        manager = StorageManager.in_memory()
    else:
        manager = StorageManager.open(tmp_path / "data")
    with manager:
        yield manager


@pytest.fixture
def disk(tmp_path):
    """A data directory for tests that reopen the database."""
    return tmp_path / "data"
