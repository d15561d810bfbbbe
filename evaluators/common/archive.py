"""One safe zip reader and one archive policy for every track that takes a zip.

Policy (README, "Uploads"):

- OS metadata is ignored, and the result says so: ``__MACOSX/`` folders, AppleDouble ``._*``
  files, ``.DS_Store``, ``Thumbs.db``, ``desktop.ini``.
- The files may sit at the top level or inside one single top-level folder (what "compress
  this folder" makes); deeper folders are refused.
- The same name twice (wherever it sits) is refused.
- Absolute paths, ``..`` traversal, symbolic links, encrypted members, unsupported compression,
  members declaring more than the per-member cap (zip bombs) and members whose data is corrupt
  (bad deflate stream, CRC mismatch, lying size fields) are each refused with a message that
  names the member.

Checks run from the most specific to the most generic: a member's own problem (its name, its
kind, its size) is reported before any count of members, so a user never sees "too many
entries" when the real problem is a duplicate, a stray file or a bomb.

Every failure raises ``SubmissionRejected``; no other exception escapes for any input bytes.
"""
from __future__ import annotations

import re
import stat
import struct
import zipfile
import zlib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterable

from .errors import SubmissionRejected

OS_METADATA_FILES = {".ds_store", "thumbs.db", "desktop.ini"}
# what zipfile and zlib raise on corrupt members; caught only around reads of untrusted bytes
CORRUPT = (zipfile.BadZipFile, zlib.error, OSError, EOFError, RuntimeError, ValueError, NotImplementedError,
           struct.error, IndexError, KeyError, OverflowError)


@dataclass
class Archive:
    """The accepted members (name without the top-level folder -> bytes) and what was skipped."""

    files: dict[str, bytes]
    ignored: list[str] = field(default_factory=list)
    folder: str = ""  # the single top-level folder the files sat in, if any

    def notes(self) -> list[str]:
        """Messages for the result: what the reader did that the user may not expect."""
        out = []
        if self.ignored:
            shown = ", ".join(self.ignored[:4]) + (f" and {len(self.ignored) - 4} more" if len(self.ignored) > 4 else "")
            out.append(f"ignored {len(self.ignored)} operating-system metadata entr"
                       f"{'y' if len(self.ignored) == 1 else 'ies'} ({shown})")
        if self.folder:
            out.append(f"read the files from the zip's top-level folder {self.folder!r}")
        return out


def _parts(name: str) -> list[str]:
    """A member name's path components (either slash), empty ones dropped."""
    return [p for p in re.split(r"[/\\]", name) if p]


def is_os_metadata(name: str) -> bool:
    parts = _parts(name)
    if not parts:
        return False
    return "__MACOSX" in parts or parts[-1].startswith("._") or parts[-1].lower() in OS_METADATA_FILES


def _reject(msg: str) -> None:
    raise SubmissionRejected(msg)


def _check_member(info: zipfile.ZipInfo, max_member_bytes: int, help_text: str) -> list[str]:
    """Refuse a dangerous or unreadable member; returns its path parts."""
    name = info.filename
    if name.startswith(("/", "\\")) or re.match(r"^[A-Za-z]:", name):
        _reject(f"{name!r}: absolute paths are not allowed; {help_text}")
    parts = _parts(name)
    if ".." in parts:
        _reject(f"{name!r}: path traversal ('..') is not allowed; {help_text}")
    if info.create_system == 3 and stat.S_ISLNK(info.external_attr >> 16):
        _reject(f"{name!r}: symbolic links are not allowed; add the file itself")
    if info.flag_bits & 0x1:
        _reject(f"{name!r}: encrypted entries are not allowed; zip without a password")
    if info.compress_type not in (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED):
        _reject(f"{name!r}: unsupported compression; use plain deflate (the default of any zip tool)")
    if info.file_size > max_member_bytes:
        _reject(f"{name!r} declares {info.file_size} bytes uncompressed, more than the limit of "
                f"{max_member_bytes} (possible zip bomb)")
    return parts


def _strip_folder(members: list[tuple[zipfile.ZipInfo, list[str]]], help_text: str) -> tuple[str, list]:
    """Files at the top level, or all inside one top-level folder: (folder, [(info, name)])."""
    tops = {parts[0] for _, parts in members if len(parts) > 1}
    flat = [info for info, parts in members if len(parts) == 1]
    if len(tops) == 1 and not flat:
        folder = tops.pop()
        out = []
        for info, parts in members:
            if len(parts) > 2:
                _reject(f"{info.filename!r}: nested folders are not allowed; {help_text}")
            out.append((info, parts[1]))
        return folder, out
    for info, parts in members:
        if len(parts) > 1:
            _reject(f"{info.filename!r}: the files must sit at the top level of the zip or in one "
                    f"single folder; {help_text}")
    return "", [(info, parts[0]) for info, parts in members]


def read_zip(source: str | Path | bytes, *, expected: Iterable[str] | None = None, required: Iterable[str] = (),
             max_member_bytes: int, max_total_bytes: int, max_members: int, help_text: str,
             unexpected_hint: str = "") -> Archive:
    """Read a zip under the policy above.

    source: a path or the zip's bytes. expected: the only names allowed (None: any);
    required: names that must be present. Caps: bytes per member (declared and inflated), bytes
    in total, members (not counting ignored metadata). help_text: how to make a correct zip,
    appended to messages. Raises SubmissionRejected; returns an Archive.
    """
    import io

    try:
        zf = zipfile.ZipFile(io.BytesIO(source) if isinstance(source, (bytes, bytearray)) else Path(source))
    except CORRUPT as e:
        _reject(f"the upload is not a readable zip archive ({e}); {help_text}")
    with zf:
        try:
            infos = zf.infolist()
        except CORRUPT as e:  # pragma: no cover - ZipFile reads the directory when it opens
            _reject(f"the zip's directory is corrupt ({e}); re-create the zip")
        ignored = [i.filename for i in infos if is_os_metadata(i.filename)]
        real = [i for i in infos if not is_os_metadata(i.filename) and not i.is_dir()]
        if len(real) > max(4 * max_members, max_members + 64):  # far beyond anything specific
            _reject(f"the zip has {len(real)} files; this phase expects at most {max_members}. {help_text}")
        members = [(info, _check_member(info, max_member_bytes, help_text)) for info in real]
        folder, named = _strip_folder(members, help_text)
        seen: dict[str, str] = {}
        for info, name in named:
            if name in seen:
                _reject(f"{name!r} appears twice in the zip ({seen[name]!r} and {info.filename!r}); "
                        "each file must appear once")
            seen[name] = info.filename
        allowed = set(expected) if expected is not None else None
        for info, name in named:
            if allowed is not None and name not in allowed:
                _reject(f"{info.filename!r} is not an expected file name; {unexpected_hint or help_text}")
        if len(named) > max_members:
            _reject(f"the zip has {len(named)} files but this phase expects at most {max_members}. {help_text}")
        missing = [n for n in required if n not in seen]
        if missing:
            have = ", ".join(sorted(seen)) or "no files"
            _reject(f"the zip has no {' and no '.join(missing)} (it holds {have}). {help_text}")
        declared = sum(info.file_size for info, _ in named)
        if declared > max_total_bytes:
            _reject(f"the zip declares {declared} bytes uncompressed in total, more than {max_total_bytes} "
                    "(possible zip bomb)")
        files: dict[str, bytes] = {}
        total = 0
        for info, name in named:
            try:
                with zf.open(info) as fh:
                    data = fh.read(max_member_bytes + 1)
            except CORRUPT as e:
                _reject(f"{info.filename!r} could not be extracted: the zip is corrupt ({e}); re-create the zip")
            if len(data) > max_member_bytes or len(data) != info.file_size:
                _reject(f"{info.filename!r} inflates to {'more than ' if len(data) > max_member_bytes else ''}"
                        f"{min(len(data), max_member_bytes + 1)} bytes but declares {info.file_size} "
                        "(zip bomb or corrupt archive); re-create the zip")
            total += len(data)
            if total > max_total_bytes:
                _reject("the zip inflates to too many bytes in total (possible zip bomb)")
            files[name] = data
    return Archive(files=files, ignored=ignored, folder=folder)
