"""Hourly tributary sync of QuickBooks, one Airflow task per stream (Airflow 2.4 or newer).

Copy this file into the DAGs folder. The workers need the `tributary` binary on PATH and the
connector file at CONFIG (the Docker image has both). The database and QuickBooks settings come
from Airflow Variables (see ENV), or from the workers' own environment if ENV is emptied.

One task per stream: a stream that fails is retried, and shown red, on its own while the others
finish; the next hour's run of a failed stream picks up from its high-water mark.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from airflow import DAG
from airflow.operators.bash import BashOperator

# Streams of config/quickbooks.yaml to sync, one task each (`tributary streams --config FILE`
# lists a file's streams).
STREAMS = ["customers", "invoices", "items"]

CONFIG = "/opt/tributary/config/quickbooks.yaml"
# Where a stream's first sync begins; once it has a high-water mark this is ignored.
FIRST_START = "2024-01-01"

# The tasks run side by side but each is its own process with its own rate limiter, while
# QuickBooks counts per realm: 500 requests a minute and 10 in flight. Each task gets its share.
REALM_REQUESTS_PER_MINUTE = 500
WORKERS_PER_TASK = max(1, 9 // len(STREAMS))

# Rendered when the task runs, so nothing secret is in this file. Airflow masks, in logs and in
# the rendered-template view, the values of Variables whose names contain "password", "secret"
# or "token"; that is why the database password travels apart from the URL (libpq reads
# PGPASSWORD when the URL has none).
ENV = {
    "TRIBUTARY_DB_URL": "{{ var.value.tributary_db_url }}",  # postgresql://etl@host:5432/db
    "PGPASSWORD": "{{ var.value.tributary_db_password }}",
    "QBO_REALM_ID": "{{ var.value.qbo_realm_id }}",
    "QBO_CLIENT_ID": "{{ var.value.qbo_client_id }}",
    "QBO_CLIENT_SECRET": "{{ var.value.qbo_client_secret }}",
    # Needed by the first run only: Intuit rotates the token and tributary keeps the newest in
    # state.oauth_tokens. After exit code 5, re-authorize and store the new token here (a token
    # different from the stored one replaces it).
    "QBO_REFRESH_TOKEN": "{{ var.value.qbo_refresh_token }}",
    "QBO_REQUESTS_PER_MINUTE": str(REALM_REQUESTS_PER_MINUTE // len(STREAMS)),
}

# BashOperator fails the task on any non-zero exit code, and Airflow retries it per
# default_args. What tributary's codes mean, and whether a retry can help:
#   0    done: every window loaded and verified
#   2    usage: bad option or unknown stream                fix this file; retries fail the same
#   3    connector file invalid, or a variable unset        fix the file or the Variables
#   4    database unreachable, or a statement failed        usually transient: the retry fixes it
#   5    credentials refused (invalid_grant, 401)           re-authorize, new QBO_REFRESH_TOKEN
#   6    some windows failed (API errors after retries)     the retry (or next run) redoes them
#   7    done, but some records were quarantined            the rest is loaded; see
#                                                           `tributary rejects --run ID`
#   8    another run is writing this stream                 a manual backfill or a stuck run;
#                                                           --wait gives it 5 minutes first
#   130  interrupted (SIGTERM: task killed or timed out)    committed pages are kept; retry resumes
# (BashOperator would mark the task skipped instead of failed on exit code 99, which tributary
# never uses.)
default_args = {
    "owner": "data-platform",
    "retries": 3,
    "retry_delay": timedelta(minutes=5),
    "retry_exponential_backoff": True,
    "max_retry_delay": timedelta(minutes=30),
    # A sync hung this long is killed (SIGTERM, exit 130) and retried; nothing committed is lost.
    "execution_timeout": timedelta(hours=2),
}

with DAG(
    dag_id="tributary_quickbooks_sync",
    description="tributary sync: QuickBooks Online -> raw.qbo_* in PostgreSQL",
    schedule="17 * * * *",  # hourly, off the top of the hour when everything else starts
    start_date=datetime(2024, 1, 1),
    # A sync always reads from each stream's high-water mark up to now, so a missed interval has
    # nothing of its own to load: no catch-up runs.
    catchup=False,
    # One run at a time: a second would find the first one's streams locked (exit code 8).
    max_active_runs=1,
    default_args=default_args,
    tags=["tributary", "quickbooks"],
) as dag:
    for stream in STREAMS:
        BashOperator(
            task_id=f"sync_{stream}",
            bash_command=(
                f"tributary sync --config {CONFIG} --stream {stream} --start {FIRST_START}"
                f" --workers {WORKERS_PER_TASK} --wait 300"
            ),
            env=ENV,
            append_env=True,  # keep the worker's PATH and the rest of its environment
        )
