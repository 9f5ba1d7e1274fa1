"""The file store: files kept once by SHA-256 (a directory or an S3-compatible store), rows in `stored_file`.

`content.files.store` saves and reads (verifying the hash), `content.files.refs` says what an item may
reference, `content.files.backends` holds the bytes.
"""

from __future__ import annotations

from content.files.backends import DirectoryBackend, FileBackend, S3Backend, backend_from_settings
from content.files.models import StoredFile
from content.files.refs import FileContext
from content.files.store import FileRefused, FileUnreadable, file_url, read_file, save_file, sha_of_url


def context_from_settings(settings) -> FileContext:
    return FileContext(backend_from_settings(settings), image_max_bytes=settings.image_max_bytes,
                       attachment_max_bytes=settings.attachment_max_bytes)


def context_for_app(state) -> FileContext:
    """The app's file context, built once from its settings and kept on `app.state`."""
    ctx = getattr(state, "files", None)
    if ctx is None:
        ctx = context_from_settings(state.settings)
        state.files = ctx
    return ctx


__all__ = ["DirectoryBackend", "FileBackend", "FileContext", "FileRefused", "FileUnreadable", "S3Backend",
           "StoredFile", "backend_from_settings", "context_for_app", "context_from_settings", "file_url",
           "read_file", "save_file", "sha_of_url"]
