"""Find the submissions in a folder or an LMS zip, and name the student of each.

Layouts: `alice.ipynb`, or `alice/<anything>.ipynb` (one notebook per student
folder); a zip of either, as an LMS exports it. Every other file is kept as a
submission too, so that a student who handed in a PDF or a broken file gets a
status in the gradebook instead of vanishing. The originals are never
changed: a zip is only read.
"""

from __future__ import annotations

import re
import zipfile
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

from crmkit.errors import CrmkitError

#: Files and folders an LMS, nbgrader (timestamp.txt) or an operating system adds that are
#: nobody's work.
IGNORED = re.compile(
    r"(^|/)(__MACOSX|\.ipynb_checkpoints|\.DS_Store|Thumbs\.db|timestamp\.txt|\.[^/]*)(/|$)"
)
MAX_BYTES = 50 * 2**20  # a notebook larger than this is not read (a zip bomb or a dataset)


@dataclass(frozen=True)
class Submission:
    """One handed-in file: whose it is, where it came from, and its bytes."""

    student: str
    origin: str  # the path inside the folder or zip, for messages
    content: bytes | None  # None when the file was too large to read
    size: int


#: Moodle's "download all submissions": `<Full Name>_<participant id>_assignsubmission_file_`,
#: as a folder or as the start of each file name. The name and id are kept.
MOODLE = re.compile(r"^(?P<name>.+?_\d+)_assign(?:submission|feedback)_\w+?_(?:.*)$")
#: Canvas's "download submissions": `<login>[_LATE]_<user id>_<submission id>_<file name>`.
CANVAS = re.compile(r"^(?P<name>[a-z0-9]+?)(?:_late)?_\d+_\d+_.+$", re.IGNORECASE)


def student_name(relative: str) -> str:
    """The student a relative path belongs to: its first folder, else the file's stem.

    The names Moodle and Canvas give the files of a downloaded class are shortened to
    the student's part (Moodle: name and participant id; Canvas: the login).
    """
    parts = PurePosixPath(relative).parts
    name = parts[0] if len(parts) > 1 else PurePosixPath(relative).stem
    for pattern in (MOODLE, CANVAS):
        if found := pattern.match(name):
            name = found["name"]
            break
    cleaned = re.sub(r"[^\w.@-]+", "_", name).strip("._")
    if not cleaned:
        raise CrmkitError(f"cannot tell whose submission '{relative}' is; name it <student>.ipynb")
    return cleaned


def find_submissions(source: Path | str) -> list[Submission]:
    """Every submission in a folder or a zip, sorted by student then path.

    Two files for the same student are both returned; the caller decides
    (the grader reports the clash instead of picking one silently).
    """
    source = Path(source)
    if not source.exists():
        raise CrmkitError(f"{source}: no such folder or zip file")
    if source.is_dir():
        found = _from_folder(source)
    elif zipfile.is_zipfile(source):
        found = _from_zip(source)
    else:
        raise CrmkitError(f"{source}: give a folder of notebooks or a .zip of them")
    return sorted(found, key=lambda s: (s.student, s.origin))


def _from_folder(folder: Path) -> list[Submission]:
    out = []
    for path in folder.rglob("*"):
        relative = path.relative_to(folder).as_posix()
        if path.is_dir() or IGNORED.search(relative):
            continue
        size = path.stat().st_size
        content = path.read_bytes() if size <= MAX_BYTES else None
        out.append(Submission(student_name(relative), relative, content, size))
    return out


def _from_zip(archive: Path) -> list[Submission]:
    out = []
    with zipfile.ZipFile(archive) as zf:
        for info in zf.infolist():
            relative = info.filename.replace("\\", "/").lstrip("/")
            if info.is_dir() or IGNORED.search(relative) or ".." in PurePosixPath(relative).parts:
                continue  # nothing is extracted, but a path with .. is never trusted either
            content = zf.read(info) if info.file_size <= MAX_BYTES else None
            out.append(Submission(student_name(relative), relative, content, info.file_size))
    return out
