"""Killing the process at any moment never loses an acknowledged annotation.

A child process writes annotations one transaction each and prints each id only after its commit
returned; the test SIGKILLs it at random moments, several times over the same library, then checks
the file's integrity and that every acknowledged annotation is there, whole (with its tag).
"""

from __future__ import annotations

import os
import random
import signal
import subprocess
import sys
import textwrap
import time

from reader.store import add_document, open_db
from tests.conftest import ROOT
from tests.helpers_store import make_article

WRITER = textwrap.dedent(
    """
    import sys
    from reader.annotations import add_annotation
    from reader.store import document_sentences, open_db

    db = open_db(sys.argv[1])
    doc_id = int(sys.argv[2])
    rows = document_sentences(db, doc_id)
    n = 0
    while True:
        row = rows[n % len(rows)]
        a = add_annotation(db, doc_id, row.id, "nl", 0, min(len(row.text), 1 + n % 20),
                           note=f"note {sys.argv[3]}-{n}", tags=[f"round {sys.argv[3]}"])
        print(a.id, flush=True)  # acknowledged: committed before this line is written
        n += 1
    """
)
ROUNDS = 5


def test_sigkill_at_random_moments_loses_no_acknowledged_annotation(tmp_path):
    path = tmp_path / "library.sqlite"
    db = open_db(path)
    doc_id, _ = add_document(db, make_article())
    db.close()
    rng = random.Random(os.getpid())
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    acknowledged: list[int] = []
    for round_ in range(ROUNDS):
        child = subprocess.Popen(
            [sys.executable, "-c", WRITER, str(path), str(doc_id), str(round_)],
            stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env, cwd=ROOT, text=True,
        )
        assert child.stdout is not None
        target = rng.randint(250, 600)
        for _ in range(target):
            line = child.stdout.readline()
            assert line, f"the writer died by itself: {child.stderr.read() if child.stderr else ''}"
            acknowledged.append(int(line))
        time.sleep(rng.uniform(0, 0.01))  # land somewhere inside a later transaction
        child.send_signal(signal.SIGKILL)
        rest, _ = child.communicate(timeout=30)
        acknowledged += [int(x) for x in rest.split()]  # printed before the kill: committed too
        assert child.returncode == -signal.SIGKILL

    assert len(acknowledged) >= ROUNDS * 250 and len(set(acknowledged)) == len(acknowledged)
    db = open_db(path)
    assert db.execute("PRAGMA integrity_check").fetchall() == [("ok",)]
    stored = {
        aid: (note, tag)
        for aid, note, tag in db.execute(
            "SELECT a.id, a.note, t.tag FROM annotations a JOIN annotation_tags t ON t.annotation_id = a.id"
        )
    }
    missing = [aid for aid in acknowledged if aid not in stored]
    assert not missing, f"{len(missing)} acknowledged annotations lost, e.g. {missing[:5]}"
    # No half-written annotation: every row has its tag, and its note indexed for search.
    assert db.execute("SELECT count(*) FROM annotations").fetchone()[0] == len(stored)
    assert db.execute("SELECT count(*) FROM search_text WHERE rowid % 8 = 3").fetchone()[0] == len(stored)
    assert all(note.startswith(f"note {tag.split()[1]}-") for note, tag in stored.values())
