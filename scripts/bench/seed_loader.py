#!/usr/bin/env python3
"""What teams hand-write today (the Mage pipelines of the seed documents): a QuickBooks invoice
backfill in Python. Refreshes an OAuth token, walks the range in 7-day chunks, pages each chunk
with STARTPOSITION/MAXRESULTS, and upserts every row on its own (INSERT ... ON CONFLICT) into
its raw table with the mandatory metadata, committing once per page; 5 retries with exponential
backoff per request. Single-threaded, as those pipelines are. Prints one JSON line: rows,
requests, seconds.

Usage: seed_loader.py BASE_URL REALM TOKEN_URL START END PAGE_SIZE DB_URL TABLE
  (client id, secret and refresh token from QBO_CLIENT_ID, QBO_CLIENT_SECRET, QBO_REFRESH_TOKEN;
   START and END are YYYY-MM-DD, END exclusive)
"""
import datetime as dt
import json
import os
import sys
import time

import psycopg2
import requests
from psycopg2.extras import Json

CHUNK_DAYS = 7
RETRIES = 5


class Qbo:
    def __init__(self, base_url, realm, token_url):
        self.url = f"{base_url}/v3/company/{realm}/query"
        self.token_url = token_url
        self.refresh_token = os.environ["QBO_REFRESH_TOKEN"]
        self.session = requests.Session()
        self.refresh()

    def refresh(self):
        r = requests.post(self.token_url, auth=(os.environ["QBO_CLIENT_ID"], os.environ["QBO_CLIENT_SECRET"]),
                          data={"grant_type": "refresh_token", "refresh_token": self.refresh_token},
                          headers={"Accept": "application/json"}, timeout=30)
        r.raise_for_status()
        body = r.json()
        self.refresh_token = body.get("refresh_token", self.refresh_token)
        self.session.headers.update({"Authorization": "Bearer " + body["access_token"],
                                     "Accept": "application/json"})

    def query(self, statement):
        for attempt in range(RETRIES + 1):
            try:
                r = self.session.get(self.url, params={"query": statement, "minorversion": "75"}, timeout=60)
                if r.status_code == 401:
                    self.refresh()
                    continue
                if r.status_code in (429, 500, 502, 503, 504):
                    raise requests.HTTPError(f"HTTP {r.status_code}")
                r.raise_for_status()
                return r.json()
            except (requests.ConnectionError, requests.Timeout, requests.HTTPError):
                if attempt == RETRIES:
                    raise
                time.sleep(2 ** attempt)
        raise RuntimeError("unreachable")


def utc(t):
    return t.strftime("%Y-%m-%dT%H:%M:%SZ")


def main():
    base_url, realm, token_url, start, end, page_size, db_url, table = sys.argv[1:9]
    page_size = int(page_size)
    began = time.monotonic()
    qbo = Qbo(base_url, realm, token_url)
    db = psycopg2.connect(db_url)
    cur = db.cursor()
    cur.execute(f"""CREATE TABLE IF NOT EXISTS {table} (
        id text PRIMARY KEY, payload jsonb NOT NULL, ingested_at_utc timestamptz NOT NULL,
        extract_window_start_utc timestamptz NOT NULL, extract_window_end_utc timestamptz NOT NULL,
        page_number integer NOT NULL, page_size integer NOT NULL, request_payload jsonb NOT NULL)""")
    db.commit()
    upsert = f"""INSERT INTO {table} (id, payload, ingested_at_utc, extract_window_start_utc,
        extract_window_end_utc, page_number, page_size, request_payload)
        VALUES (%s, %s, now(), %s, %s, %s, %s, %s)
        ON CONFLICT (id) DO UPDATE SET payload = EXCLUDED.payload, ingested_at_utc = EXCLUDED.ingested_at_utc,
        extract_window_start_utc = EXCLUDED.extract_window_start_utc,
        extract_window_end_utc = EXCLUDED.extract_window_end_utc, page_number = EXCLUDED.page_number,
        page_size = EXCLUDED.page_size, request_payload = EXCLUDED.request_payload"""
    rows = requests_made = 0
    chunk_start = dt.datetime.fromisoformat(start).replace(tzinfo=dt.timezone.utc)
    stop = dt.datetime.fromisoformat(end).replace(tzinfo=dt.timezone.utc)
    while chunk_start < stop:
        chunk_end = min(chunk_start + dt.timedelta(days=CHUNK_DAYS), stop)
        page = 1
        while True:
            statement = (f"SELECT * FROM Invoice WHERE MetaData.LastUpdatedTime >= '{utc(chunk_start)}' "
                         f"AND MetaData.LastUpdatedTime < '{utc(chunk_end)}' ORDERBY MetaData.LastUpdatedTime "
                         f"STARTPOSITION {(page - 1) * page_size + 1} MAXRESULTS {page_size}")
            invoices = qbo.query(statement).get("QueryResponse", {}).get("Invoice", [])
            requests_made += 1
            request_payload = Json({"method": "GET", "url": qbo.url, "query": statement, "minorversion": "75"})
            for invoice in invoices:
                cur.execute(upsert, (invoice["Id"], Json(invoice), chunk_start, chunk_end, page, page_size,
                                     request_payload))
            db.commit()
            rows += len(invoices)
            if len(invoices) < page_size:
                break
            page += 1
        chunk_start = chunk_end
    db.close()
    print(json.dumps({"rows": rows, "requests": requests_made, "seconds": time.monotonic() - began}))


if __name__ == "__main__":
    main()
