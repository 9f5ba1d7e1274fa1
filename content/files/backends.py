"""Where the bytes live: a directory (the default) or an S3-compatible object store.

Both store an object under its SHA-256, so the same bytes are kept once whoever uploads them; the
`StoredFile` rows (per org) say who may see a file. Backends know nothing of orgs or the database.
"""

from __future__ import annotations

import hashlib
import os
import tempfile
from pathlib import Path
from typing import Protocol

import httpx
from sqlalchemy.engine import make_url

from content.files.sigv4 import sign

SHA256_HEX = frozenset("0123456789abcdef")


class FileStoreUnavailable(Exception):
    """The backend could not be reached or answered an error (a transient, operator-facing problem)."""


def _check_name(sha256: str) -> str:
    if len(sha256) != 64 or not set(sha256) <= SHA256_HEX:
        raise ValueError("not a sha256 name")
    return sha256


class FileBackend(Protocol):
    def put(self, sha256: str, data: bytes) -> None: ...

    def get(self, sha256: str) -> bytes | None: ...


class DirectoryBackend:
    """Files under `root/ab/<sha256>`, written to a temporary name first and renamed (never half-written)."""

    def __init__(self, root: str | Path) -> None:
        self.root = Path(root)

    def _path(self, sha256: str) -> Path:
        return self.root / _check_name(sha256)[:2] / sha256

    def put(self, sha256: str, data: bytes) -> None:
        path = self._path(sha256)
        if path.is_file() and path.stat().st_size == len(data):
            return
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".part-")
        try:
            with os.fdopen(fd, "wb") as fh:
                fh.write(data)
                fh.flush()
                os.fsync(fh.fileno())
            os.replace(tmp, path)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise

    def get(self, sha256: str) -> bytes | None:
        try:
            return self._path(sha256).read_bytes()
        except FileNotFoundError:
            return None


class S3Backend:
    """PUT/GET of one object per file on an S3-compatible store, path-style, signed with SigV4."""

    def __init__(self, endpoint: str, bucket: str, *, access_key: str, secret_key: str, region: str = "us-east-1",
                 timeout: float = 30.0, transport: httpx.BaseTransport | None = None) -> None:
        self.base = f"{endpoint.rstrip('/')}/{bucket}"
        self.access_key, self.secret_key, self.region = access_key, secret_key, region
        self.client = httpx.Client(timeout=timeout, transport=transport, follow_redirects=False)

    def _request(self, method: str, sha256: str, data: bytes = b"", headers: dict[str, str] | None = None):
        url = f"{self.base}/{_check_name(sha256)}"
        signed = sign(method, url, headers=headers or {}, payload_hash=hashlib.sha256(data).hexdigest(),
                      access_key=self.access_key, secret_key=self.secret_key, region=self.region)
        try:
            return self.client.request(method, url, content=data or None, headers=signed)
        except httpx.HTTPError as exc:
            raise FileStoreUnavailable(f"对象存储无法访问（{type(exc).__name__}）") from exc

    def put(self, sha256: str, data: bytes) -> None:
        resp = self._request("PUT", sha256, data, {"content-type": "application/octet-stream"})
        if resp.status_code // 100 != 2:
            raise FileStoreUnavailable(f"对象存储写入失败（HTTP {resp.status_code}）")

    def get(self, sha256: str) -> bytes | None:
        resp = self._request("GET", sha256)
        if resp.status_code == 404:
            return None
        if resp.status_code != 200:
            raise FileStoreUnavailable(f"对象存储读取失败（HTTP {resp.status_code}）")
        return resp.content


def default_files_dir(database_url: str) -> Path:
    """`files` beside a SQLite database file, else `./files`."""
    try:
        url = make_url(database_url)
    except Exception:  # noqa: BLE001 - a malformed URL is reported elsewhere; fall back to the cwd
        return Path("files")
    if url.get_backend_name() == "sqlite" and url.database and url.database != ":memory:":
        return Path(url.database).resolve().parent / "files"
    return Path("files")


def backend_from_settings(settings, database_url: str | None = None) -> FileBackend:
    """The backend the settings describe: S3 when an endpoint and bucket are set, else a directory."""
    if settings.s3_endpoint and settings.s3_bucket:
        return S3Backend(settings.s3_endpoint, settings.s3_bucket, access_key=settings.s3_access_key,
                         secret_key=settings.s3_secret_key.get_secret_value(), region=settings.s3_region)
    return DirectoryBackend(settings.files_dir or default_files_dir(database_url or settings.database_url))
