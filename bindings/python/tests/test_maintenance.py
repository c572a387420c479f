"""StorageManager stats/compact/integrity/snapshots, DataCleanupTask, BackupManager and
RestoreManager, and use after close of every new store."""

import pytest

from neotalk_storage import (
    AlertRecord,
    BackupManager,
    DataCleanupTask,
    RestoreManager,
    StorageError,
    StorageManager,
)

DAY = 86_400_000


def raise_alert(db, alert_id, at):
    db.alerts().create(AlertRecord(alert_id=alert_id, title="t", severity="error", message="m", source="rules", created_at=at))


def test_stats_compact_and_integrity(db):
    raise_alert(db, "a1", 1_000)
    stats = db.stats()
    assert isinstance(stats, dict) and stats
    assert db.check_integrity() is True
    integrity = db.integrity_report()
    assert integrity.ok and integrity.damaged == [] and integrity.engine_problem is None
    assert integrity.entries_checked > 0
    report = db.compact()
    assert report.after_bytes <= report.before_bytes or db.backend_kind() == "memory"
    assert db.alerts().get("a1") is not None


def test_snapshot_export_import_round_trip(db):
    raise_alert(db, "a1", 1_000)
    snapshot = db.export_snapshot()
    assert isinstance(snapshot, bytes) and len(snapshot) > 0
    raise_alert(db, "a2", 2_000)
    db.alerts().resolve("a1", 1_500)
    manifest = db.import_snapshot(bytearray(snapshot))
    assert isinstance(manifest, dict)
    assert [a.alert_id for a in db.alerts().query_range(0, 10_000)] == ["a1"]
    assert db.alerts().get("a1").resolved_at is None
    with StorageManager.in_memory() as other:
        other.import_snapshot(snapshot)
        assert other.alerts().get("a1").title == "t"


def test_corrupted_snapshot_leaves_the_data_unchanged(db):
    raise_alert(db, "a1", 1_000)
    snapshot = bytearray(db.export_snapshot())
    raise_alert(db, "a2", 2_000)
    before = [a.alert_id for a in db.alerts().query_range(0, 10_000)]
    damaged = bytearray(snapshot)
    damaged[len(damaged) // 2] ^= 0xFF
    for bad in (bytes(damaged), bytes(snapshot[: len(snapshot) // 2]), b"", b"not a snapshot at all"):
        with pytest.raises((StorageError.Corrupted, StorageError.InvalidInput, StorageError.VersionMismatch)):
            db.import_snapshot(bad)
        assert [a.alert_id for a in db.alerts().query_range(0, 10_000)] == before


def test_cleanup_task_runs_every_store(db):
    raise_alert(db, "old", 0)
    raise_alert(db, "new", 100 * DAY)
    task = DataCleanupTask(db, {"alerts": {"days": 30}})
    assert task.config()["alerts"]["keep"] == "30d"
    report = task.run(100 * DAY)
    assert report["removed"]["alerts"] == 1 and report["failed"] == {}
    assert [a.alert_id for a in db.alerts().query_range(0, 200 * DAY)] == ["new"]
    assert DataCleanupTask(db).config() == DataCleanupTask(db, {}).config()
    with pytest.raises(StorageError.InvalidInput):
        DataCleanupTask(db, {"alarms": {"days": 1}})  # unknown section
    with pytest.raises(StorageError.InvalidInput):
        DataCleanupTask(db, {"alerts": {"days": "thirty"}})


def test_backup_verify_restore(disk, tmp_path):
    with StorageManager.open(disk) as db:
        raise_alert(db, "a1", 1_000)
        backups = BackupManager(db, {"retain_count": 3})
        assert backups.config()["retain_count"] == 3
        full = backups.backup("full")
        raise_alert(db, "a2", 2_000)
        inc = backups.backup({"type": "incremental"})
        assert inc["id"] != full["id"]
        restore = RestoreManager(db, backups.dir())
        assert [b["id"] for b in restore.list_backups()] == [full["id"], inc["id"]]
        assert restore.newest()["id"] == inc["id"]
        assert restore.verify(full["id"])["ok"] is True
        raise_alert(db, "a3", 3_000)
        result = restore.restore(full["id"])
        assert result["id"] == full["id"]
        assert [a.alert_id for a in db.alerts().query_range(0, 10_000)] == ["a1"]
        restore.restore(inc["id"])
        assert [a.alert_id for a in db.alerts().query_range(0, 10_000)] == ["a1", "a2"]
        assert len(backups.run_enabled()) == 1
        assert backups.prune() == []


def test_backup_errors(disk):
    with StorageManager.open(disk) as db:
        raise_alert(db, "a1", 1_000)
        backups = BackupManager(db)
        restore = RestoreManager(db, backups.dir())
        for hostile in ("../etc/passwd", "/etc/passwd", "..", "a/b", ".hidden", "", "x" * 200, "a\\b"):
            with pytest.raises(StorageError.InvalidInput):
                restore.verify(hostile)
            with pytest.raises(StorageError.InvalidInput):
                restore.restore(hostile)
        with pytest.raises(StorageError.NotFound):
            restore.verify("20260101T000000000Z-full")
        with pytest.raises(StorageError.InvalidInput):
            backups.backup("differential")
        with pytest.raises(StorageError.InvalidInput):
            BackupManager(db, {"retain_count": 0})
        with pytest.raises(StorageError.InvalidInput):
            BackupManager(db, {"retain": 3})
        info = backups.backup()
        path = info["path"]
        with open(path, "r+b") as f:
            f.seek(-8, 2)
            f.write(b"\xff" * 8)
        report = restore.verify(info["id"])
        assert report["ok"] is False and report["problem"]
        raise_alert(db, "a2", 2_000)
        with pytest.raises(StorageError):
            restore.restore(info["id"])
        assert [a.alert_id for a in db.alerts().query_range(0, 10_000)] == ["a1", "a2"]


def test_every_new_store_fails_with_closed_after_close():
    db = StorageManager.in_memory()
    stores = (db.rule_history(), db.workflow_history(), db.alerts(), db.decisions(), db.sessions(), db.memory(), db.vectors())
    db.close()
    calls = [
        lambda: stores[0].query_range(0, 10),
        lambda: stores[1].running(),
        lambda: stores[2].count_by_severity(),
        lambda: stores[3].query_range(0, 10),
        lambda: stores[4].list_sessions(),
        lambda: stores[5].count(),
        lambda: stores[6].list_collections(),
        db.stats,
        db.export_snapshot,
        db.check_integrity,
        db.integrity_report,
        db.compact,
    ]
    for call in calls:
        with pytest.raises(StorageError.Closed):
            call()
    with pytest.raises(StorageError.Closed):
        raise_alert(db, "a", 1)



def test_open_read_only_reads_and_refuses_writes(disk):
    with StorageManager.open(disk) as db:
        raise_alert(db, "a1", 1_000)
    with StorageManager.open_read_only(disk) as db:
        assert [a.alert_id for a in db.alerts().query_range(0, 10_000)] == ["a1"]
        with pytest.raises(StorageError.ReadOnly, match="read-only"):
            raise_alert(db, "a2", 2_000)
        report = db.integrity_report()
        assert report.ok and not report.engine_checked
    with pytest.raises(StorageError.InvalidInput, match="no database"):
        StorageManager.open_read_only(disk / "missing")


def test_salvage_copies_a_database_and_refuses_bad_directories(disk, tmp_path):
    saved = tmp_path / "saved"
    with StorageManager.open(disk) as db:
        raise_alert(db, "a1", 1_000)
        with pytest.raises(StorageError.Locked):
            StorageManager.salvage(disk, saved)
    report = StorageManager.salvage(disk, saved)
    assert report.damaged_count == 0 and report.damaged == [] and not report.read_from_copy
    assert report.entries_copied > 0
    assert "SalvageReport(" in repr(report)
    with StorageManager.open(saved) as db:
        assert [a.alert_id for a in db.alerts().query_range(0, 10_000)] == ["a1"]
    with pytest.raises(StorageError.InvalidInput, match="already holds a database"):
        StorageManager.salvage(disk, saved)
    with pytest.raises(StorageError.InvalidInput, match="no database"):
        StorageManager.salvage(tmp_path / "missing", tmp_path / "out")
