#!/usr/bin/env python3
"""numpy reference for `accf bench export`: the same top-K, written to SQLite the same way.

Reads the embeddings and train exclusions that `accf bench export --dump DIR` wrote, computes
top-K per user as a numpy user would (scores = U_block @ I.T, mask the user's train items,
argpartition, then sort the K kept), writes them with Python's sqlite3 (executemany, one
transaction, the same schema), and prints the time of each part. With --check FILE it also
compares its lists with the ones accf exported.

Benchmark numpy with the machine's OpenBLAS tuned for the CPU:
  env -u OPENBLAS_CORETYPE -u OPENBLAS_L2_SIZE OPENBLAS_NUM_THREADS=2 python3 scripts/bench_export_numpy.py DIR
(see /work/.library/env/README.md on why those variables are set here). Not used at run time.
"""
import argparse
import json
import os
import sqlite3
import sys
import time

import numpy as np


def topk(U, I, indptr, excl, k, block):
    n = U.shape[0]
    items = np.empty((n, k), dtype=np.int64)
    scores = np.empty((n, k), dtype=np.float32)
    t_score = t_select = 0.0
    IT = np.ascontiguousarray(I.T)
    for start in range(0, n, block):
        stop = min(n, start + block)
        t0 = time.perf_counter()
        S = U[start:stop] @ IT
        t1 = time.perf_counter()
        lo, hi = indptr[start], indptr[stop]
        rows = np.repeat(np.arange(stop - start), np.diff(indptr[start:stop + 1]))
        S[rows, excl[lo:hi]] = -np.inf
        part = np.argpartition(-S, k - 1, axis=1)[:, :k]
        ps = np.take_along_axis(S, part, axis=1)
        # best first; ties to the lower item index (lexsort: last key is primary)
        order = np.lexsort((part, -ps), axis=1)
        items[start:stop] = np.take_along_axis(part, order, axis=1)
        scores[start:stop] = np.take_along_axis(ps, order, axis=1)
        t2 = time.perf_counter()
        t_score += t1 - t0
        t_select += t2 - t1
    return items, scores, t_score, t_select


SCHEMA = """
CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE users (user_index INTEGER PRIMARY KEY, external_id TEXT NOT NULL UNIQUE, embedding BLOB NOT NULL);
CREATE TABLE items (item_index INTEGER PRIMARY KEY, external_id TEXT NOT NULL UNIQUE, embedding BLOB NOT NULL);
CREATE TABLE recommendations (user_index INTEGER NOT NULL, rank INTEGER NOT NULL, item_index INTEGER NOT NULL,
                              score REAL NOT NULL, PRIMARY KEY (user_index, rank)) WITHOUT ROWID;
"""


def write_sqlite(path, U, I, items, scores):
    if os.path.exists(path):
        os.unlink(path)
    db = sqlite3.connect(path)
    db.execute("PRAGMA journal_mode=OFF")
    db.execute("PRAGMA synchronous=OFF")
    db.executescript(SCHEMA)
    with db:
        db.execute("INSERT INTO meta VALUES ('schema_version', '1')")
        db.executemany("INSERT INTO users VALUES (?, ?, ?)",
                       ((u, "u%d" % u, U[u].astype("<f4").tobytes()) for u in range(U.shape[0])))
        db.executemany("INSERT INTO items VALUES (?, ?, ?)",
                       ((i, "i%d" % i, I[i].astype("<f4").tobytes()) for i in range(I.shape[0])))
        k = items.shape[1]
        db.executemany("INSERT INTO recommendations VALUES (?, ?, ?, ?)",
                       ((u, r + 1, int(items[u, r]), float(scores[u, r]))
                        for u in range(items.shape[0]) for r in range(k)))
    db.execute("CREATE INDEX recommendations_by_item ON recommendations (item_index, user_index)")
    ok = db.execute("PRAGMA integrity_check").fetchone()[0]
    db.execute("PRAGMA journal_mode=DELETE")
    db.close()
    fd = os.open(path, os.O_RDONLY)
    os.fsync(fd)
    os.close(fd)
    return ok


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("dump")
    ap.add_argument("--block", type=int, default=1024)
    ap.add_argument("--output", default="/tmp/accf-bench-export/numpy.sqlite")
    ap.add_argument("--check", help="an accf export of the same dump to compare lists with")
    ap.add_argument("--repetitions", type=int, default=1)
    a = ap.parse_args()
    meta = json.load(open(os.path.join(a.dump, "meta.json")))
    n, m, d, k = meta["users"], meta["items"], meta["dim"], meta["k"]
    U = np.fromfile(os.path.join(a.dump, "U.f32"), dtype="<f4").reshape(n, d)
    I = np.fromfile(os.path.join(a.dump, "I.f32"), dtype="<f4").reshape(m, d)
    indptr = np.fromfile(os.path.join(a.dump, "excl_indptr.i64"), dtype="<i8")
    excl = np.fromfile(os.path.join(a.dump, "excl_items.u32"), dtype="<u4").astype(np.int64)
    try:
        from threadpoolctl import threadpool_info
        blas = [(x.get("internal_api"), x.get("architecture"), x.get("num_threads")) for x in threadpool_info()]
    except ImportError:
        blas = "threadpoolctl not installed"
    best = None
    for _ in range(max(1, a.repetitions)):
        t0, c0 = time.perf_counter(), time.process_time()
        items, scores, ts, tsel = topk(U, I, indptr, excl, k, a.block)
        t1, c1 = time.perf_counter(), time.process_time()
        ok = write_sqlite(a.output, U, I, items, scores)
        t2, c2 = time.perf_counter(), time.process_time()
        run = dict(scoring=ts, selection=t1 - t0 - ts, topk=t1 - t0, sqlite=t2 - t1, total=t2 - t0,
                   cpu_topk=c1 - c0, cpu_sqlite=c2 - c1, cpu_total=c2 - c0)
        if best is None or run["total"] < best["total"]:
            best = run
    print("numpy reference (best of %d): %d users x %d items, d = %d, k = %d, numpy %s, BLAS %s"
          % (max(1, a.repetitions), n, m, d, k, np.__version__, blas))
    for key in ["scoring", "selection", "topk", "sqlite", "total", "cpu_topk", "cpu_sqlite", "cpu_total"]:
        print("%-10s %8.3f s" % (key, best[key]))
    print("users/s    %8.0f (end to end)" % (n / best["total"]))
    print("integrity  %s, file %d bytes" % (ok, os.path.getsize(a.output)))
    print("loadavg    %s" % " ".join(open("/proc/loadavg").read().split()[:3]))
    if a.check:
        db = sqlite3.connect("file:%s?mode=ro" % a.check, uri=True)
        theirs = np.array(db.execute("SELECT item_index FROM recommendations ORDER BY user_index, rank").fetchall()).reshape(n, k)
        same = (theirs == items).mean()
        print("agreement with %s: %.6f of (user, rank) slots identical" % (a.check, same))
        if same < 0.999:
            sys.exit("lists differ")


if __name__ == "__main__":
    main()
