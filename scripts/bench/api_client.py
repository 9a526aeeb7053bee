#!/usr/bin/env python3
"""The API alone: pulls every page a backfill reads (7-day windows, SELECT * ... ORDERBY Id,
STARTPOSITION/MAXRESULTS) from the QuickBooks mock, WORKERS windows at a time, and throws the
bodies away. Shows how fast the mock serves what tributary asks for, so the tributary figures
are not the mock's. Prints one JSON line: rows, bytes, requests, seconds.

Usage: api_client.py BASE_URL REALM TOKEN_URL START END PAGE_SIZE WORKERS
  (client id, secret and refresh token from QBO_CLIENT_ID, QBO_CLIENT_SECRET, QBO_REFRESH_TOKEN;
   START and END are YYYY-MM-DD, END exclusive)
"""
import datetime as dt
import json
import os
import queue
import re
import sys
import threading
import time

import requests

CHUNK_DAYS = 7
MAX_RESULTS = re.compile(rb'"maxResults":(\d+)')


def windows(start, end):
    t = dt.datetime.fromisoformat(start).replace(tzinfo=dt.timezone.utc)
    stop = dt.datetime.fromisoformat(end).replace(tzinfo=dt.timezone.utc)
    while t < stop:
        u = min(t + dt.timedelta(days=CHUNK_DAYS), stop)
        yield t, u
        t = u


def utc(t):
    return t.strftime("%Y-%m-%dT%H:%M:%SZ")


def access_token(token_url):
    r = requests.post(token_url, auth=(os.environ["QBO_CLIENT_ID"], os.environ["QBO_CLIENT_SECRET"]),
                      data={"grant_type": "refresh_token", "refresh_token": os.environ["QBO_REFRESH_TOKEN"]},
                      headers={"Accept": "application/json"}, timeout=30)
    r.raise_for_status()
    return r.json()["access_token"]


def main():
    base_url, realm, token_url, start, end = sys.argv[1:6]
    page_size, workers = int(sys.argv[6]), int(sys.argv[7])
    token = access_token(token_url)
    todo = queue.Queue()
    for w in windows(start, end):
        todo.put(w)
    totals = {"rows": 0, "bytes": 0, "requests": 0}
    lock = threading.Lock()
    errors = []

    def worker():
        session = requests.Session()
        session.headers.update({"Authorization": "Bearer " + token, "Accept": "application/json"})
        url = f"{base_url}/v3/company/{realm}/query"
        rows = size = requests_made = 0
        try:
            while True:
                try:
                    lo, hi = todo.get_nowait()
                except queue.Empty:
                    break
                position = 1
                while True:
                    statement = (f"SELECT * FROM Invoice WHERE MetaData.LastUpdatedTime >= '{utc(lo)}' "
                                 f"AND MetaData.LastUpdatedTime < '{utc(hi)}' ORDERBY Id "
                                 f"STARTPOSITION {position} MAXRESULTS {page_size}")
                    r = session.get(url, params={"query": statement, "minorversion": "75"}, timeout=120)
                    r.raise_for_status()
                    body = r.content
                    requests_made += 1
                    size += len(body)
                    m = MAX_RESULTS.search(body, max(0, len(body) - 200))
                    n = int(m.group(1)) if m else 0
                    rows += n
                    if n < page_size:
                        break
                    position += page_size
        except Exception as e:  # noqa: BLE001 - reported, the run's figures are then void
            errors.append(repr(e))
        with lock:
            totals["rows"] += rows
            totals["bytes"] += size
            totals["requests"] += requests_made

    began = time.monotonic()
    threads = [threading.Thread(target=worker) for _ in range(workers)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    totals["seconds"] = time.monotonic() - began
    if errors:
        print("api_client: " + "; ".join(errors), file=sys.stderr)
        sys.exit(1)
    print(json.dumps(totals))


if __name__ == "__main__":
    main()
