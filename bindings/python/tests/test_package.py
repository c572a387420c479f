"""The installed package: where it comes from, what it exports, and its typing stubs."""

import ast
import inspect
import pathlib
import sysconfig

import neotalk_storage
from neotalk_storage._native import neotalk_storage_uniffi as native
from neotalk_storage import StorageError


def test_runs_against_the_installed_wheel_not_the_source_tree():
    site = pathlib.Path(sysconfig.get_paths()["purelib"]).resolve()
    here = pathlib.Path(neotalk_storage.__file__).resolve()
    assert site in here.parents, f"{here} is not under {site}"


def test_py_typed_and_stubs_are_installed():
    pkg = pathlib.Path(neotalk_storage.__file__).parent
    assert (pkg / "py.typed").is_file()
    assert (pkg / "__init__.pyi").is_file()


def _stub_tree():
    pkg = pathlib.Path(neotalk_storage.__file__).parent
    return ast.parse((pkg / "__init__.pyi").read_text())


def test_stub_declares_every_export_and_every_public_method():
    tree = _stub_tree()
    classes = {n.name: n for n in tree.body if isinstance(n, ast.ClassDef)}
    for name in neotalk_storage.__all__:
        assert name in classes, f"{name} missing from __init__.pyi"
        obj = getattr(neotalk_storage, name)
        if name == "StorageError" or hasattr(obj, "__members__"):
            continue
        stub_members = {
            n.name if isinstance(n, (ast.FunctionDef, ast.ClassDef)) else n.target.id
            for n in classes[name].body
            if isinstance(n, (ast.FunctionDef, ast.ClassDef)) or (isinstance(n, ast.AnnAssign) and isinstance(n.target, ast.Name))
        }
        runtime = {m for m, _ in inspect.getmembers(obj) if not m.startswith("_") and callable(getattr(obj, m))}
        if "_native" not in obj.__module__:
            # Wrapper classes: every public method is in the stub, and nothing more.
            stub_methods = {n.name for n in classes[name].body if isinstance(n, ast.FunctionDef) and not n.name.startswith("_")}
            assert stub_methods == runtime, f"{name}: stub {sorted(stub_methods ^ runtime)} differ"
        else:
            missing = {m for m in runtime if m not in stub_members and not m.startswith("is_")}
            assert not missing, f"{name}: {missing} missing from the stub"


def test_version_is_the_distribution_version():
    import importlib.metadata

    assert isinstance(neotalk_storage.__version__, str)
    assert neotalk_storage.__version__ == importlib.metadata.version("neotalk-storage")


def test_every_error_kind_has_the_core_code():
    codes = {
        "NotFound": "NOT_FOUND",
        "InvalidInput": "INVALID_INPUT",
        "Conflict": "CONFLICT",
        "Corrupted": "CORRUPTED",
        "VersionMismatch": "VERSION_MISMATCH",
        "Locked": "LOCKED",
        "Io": "IO",
        "Backend": "BACKEND",
        "Closed": "CLOSED",
        "ReadOnly": "READ_ONLY",
    }
    for kind, code in codes.items():
        cls = getattr(StorageError, kind)
        assert issubclass(cls, StorageError) and issubclass(cls, Exception)
        assert cls.code == code


def test_docstrings_come_from_the_rust_doc_comments():
    assert "half-open" in neotalk_storage.TimeSeriesStore.__doc__
    assert "One telemetry sample" in neotalk_storage.DataPoint.__doc__
    assert "A stored event" in neotalk_storage.EventLogEntry.__doc__
    assert "little-endian" in native.TimeSeriesStore.write_packed.__doc__
    assert neotalk_storage.StorageManager.open.__doc__


def test_records_repr_their_fields():
    from neotalk_storage import AlertRecord, AlertSeverity, DataPoint, SequenceRange

    assert repr(DataPoint(timestamp=1, value=2.5)) == "DataPoint(timestamp=1, value=2.5, quality=None, metadata=None)"
    assert repr(SequenceRange(first=1, last=3)) == "SequenceRange(first=1, last=3)"
    alert = AlertRecord(alert_id="a1", title="Hot", severity=AlertSeverity.WARNING, message="", source="rule", created_at=5)
    assert repr(alert).startswith("AlertRecord(alert_id='a1', title='Hot', severity=<AlertSeverity.WARNING: "), repr(alert)
    assert DataPoint(timestamp=1, value=2.5) == DataPoint(timestamp=1, value=2.5)
