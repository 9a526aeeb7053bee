"""A QuickBooks backfill worked by many Airflow tasks (Airflow 2.4 or newer).

plan     `tributary backfill ... --plan-only`: creates the run and its windows (or reuses an
         identical unfinished run) and prints the run id, which BashOperator pushes to XCom.
work     N mapped tasks (dynamic task mapping), each `tributary worker --run ID`: they claim
         windows from PostgreSQL and each exits when every window of the run is finished.
check    after all workers, however they ended: exits with the run's code, so the DAG run fails
         exactly when the run did not end done.

Trigger it with parameters ("Trigger DAG w/ config"), for example
    {"start": "2015-01-01", "end": "2025-01-01", "streams": ["invoices", "customers"], "workers": 2}

Setup as for tributary_sync_dag.py: `tributary` on the workers' PATH, the connector file at CONFIG,
the same Airflow Variables. Each mapped worker holds an Airflow worker slot for the whole backfill;
a worker task that starts late (no free slot) or is retried after the run ended joins the
finished run and exits at once.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from airflow import DAG
from airflow.decorators import task
from airflow.models.param import Param
from airflow.operators.bash import BashOperator

CONFIG = "/opt/tributary/config/quickbooks.yaml"

# As in tributary_sync_dag.py: rendered when the task runs, nothing secret in this file. The
# rate limit is not divided among the tasks: tributary shares the account's 500 requests a minute
# and 10 in flight across all its processes through PostgreSQL.
ENV = {
    "TRIBUTARY_DB_URL": "{{ var.value.tributary_db_url }}",  # postgresql://etl@host:5432/db
    "PGPASSWORD": "{{ var.value.tributary_db_password }}",
    "QBO_REALM_ID": "{{ var.value.qbo_realm_id }}",
    "QBO_CLIENT_ID": "{{ var.value.qbo_client_id }}",
    "QBO_CLIENT_SECRET": "{{ var.value.qbo_client_secret }}",
    "QBO_REFRESH_TOKEN": "{{ var.value.qbo_refresh_token }}",
}

# The parameters are validated when a run is triggered; the patterns also keep them to plain
# words, since they are rendered into a shell command.
PARAMS = {
    "start": Param("2024-01-01", type="string", description="inclusive start: YYYY-MM-DD or ISO-8601",
                   pattern=r"^[0-9]{4}-[0-9]{2}-[0-9]{2}(T[0-9:.]+(Z|[+-][0-9:]+)?)?$"),
    "end": Param("2025-01-01", type="string", description="exclusive end, same formats",
                 pattern=r"^[0-9]{4}-[0-9]{2}-[0-9]{2}(T[0-9:.]+(Z|[+-][0-9:]+)?)?$"),
    "streams": Param(["invoices"], type="array", minItems=1, description="streams of the connector file",
                     items={"type": "string", "pattern": r"^[A-Za-z0-9_.-]+$"}),
    "chunk_days": Param(30, type="integer", minimum=1, maximum=3660, description="window length in days"),
    # One QuickBooks realm is saturated by one or two workers (docs/operations.md, "Many
    # workers"); more only help across accounts or when PostgreSQL ingest is the bottleneck.
    "workers": Param(2, type="integer", minimum=1, maximum=32, description="worker tasks"),
}

# stdout carries only the run id, but BashOperator pushes the last line of stdout and stderr
# merged, and tributary logs to stderr: the id is captured and printed last. A sync would plan
# with `tributary sync --config ... --plan-only`, which prints nothing when all is up to date.
PLAN_COMMAND = (
    "run=$(tributary --log-level warn backfill --config " + CONFIG
    + "{% for s in params.streams %} --stream {{ s }}{% endfor %}"
    " --start {{ params.start }} --end {{ params.end }} --chunk-days {{ params.chunk_days }}"
    " --wait 300 --plan-only) || exit $?\n"
    "[[ $run =~ ^[0-9]+$ ]] || { echo \"plan: expected a run id on stdout, got '$run'\" >&2; exit 1; }\n"
    "echo \"$run\"\n"
)

# `{{ run_id }}` would be Airflow's own DagRun id: tributary's comes from the plan task's XCom.
CHECK_COMMAND = (
    "run='{{ ti.xcom_pull(task_ids=\"plan\") }}'\n"
    "[[ $run =~ ^[0-9]+$ ]] || { echo \"check: the plan task gave no run id\" >&2; exit 1; }\n"
    "tributary status --run \"$run\" || true\n"
    # Exits at once with the run's code when every window is finished; if every worker task died
    # first, it finishes the run itself, so the DAG never reports an unfinished run as done.
    "exec tributary worker --run \"$run\" --config " + CONFIG + "\n"
)


def worker_command(run: str) -> str:
    """One worker task's script. Every worker exits only when the run is finished, with the run's
    code; 6 (the run failed) and 7 (done, records quarantined) are the run's outcome, which the
    check task reports, so this task succeeds for them instead of being retried for nothing."""
    return (
        f"tributary worker --run {run} --config {CONFIG} && exit 0\n"
        "code=$?\n"
        "case $code in 6|7) echo \"run finished with exit code $code; the check task reports it\" >&2; exit 0;; esac\n"
        "exit $code\n"
    )


# Exit codes, and what Airflow does (BashOperator fails the task on any non-zero code):
#   0    the run is done
#   2, 3 usage, connector file or variable        retries fail the same: fix the DAG or Variables
#   4    database unreachable                      retried; the worker resumes from checkpoints
#   5    credentials refused                       re-authorize, new qbo_refresh_token
#   6    the run failed (windows failed after tributary's own retries): the check fails. Trigger
#        the DAG again with the same parameters: an identical backfill reuses the failed run.
#   7    done, some records quarantined: the check fails; see `tributary rejects --run ID`
#   130  SIGTERM (task killed or timed out): committed pages kept, windows released; retried
default_args = {
    "owner": "data-platform",
    "retries": 3,
    "retry_delay": timedelta(minutes=5),
    "retry_exponential_backoff": True,
    "max_retry_delay": timedelta(minutes=30),
}

with DAG(
    dag_id="tributary_quickbooks_backfill",
    description="tributary backfill by many workers: QuickBooks Online -> raw.qbo_* in PostgreSQL",
    schedule=None,  # triggered by hand, with parameters
    start_date=datetime(2024, 1, 1),
    catchup=False,
    # A second backfill of the same streams would find them held by the first run's workers.
    max_active_runs=1,
    params=PARAMS,
    default_args=default_args,
    tags=["tributary", "quickbooks", "backfill"],
) as dag:
    plan = BashOperator(
        task_id="plan",
        bash_command=PLAN_COMMAND,
        env=ENV,
        append_env=True,
        do_xcom_push=True,  # the last line: the run id
        execution_timeout=timedelta(minutes=15),
    )

    @task
    def worker_commands(run: str, workers: str) -> list[str]:
        """The fan-out: `workers` copies of the worker script (the number is a parameter, so it is
        known only when the DAG runs)."""
        if not str(run).isdigit():
            raise ValueError(f"the plan task pushed {run!r}, not a run id")
        return [worker_command(str(run))] * int(workers)

    work = BashOperator.partial(
        task_id="work",
        env=ENV,
        append_env=True,
        # A worker killed at the timeout exits 130 and is retried; the windows it held come back
        # after their lease (60 s). Raise it for backfills longer than 4 attempts of this.
        execution_timeout=timedelta(hours=24),
    ).expand(bash_command=worker_commands(plan.output, "{{ params.workers }}"))

    check = BashOperator(
        task_id="check",
        bash_command=CHECK_COMMAND,
        env=ENV,
        append_env=True,
        # Runs once every worker task has ended, failed ones included: one worker that failed
        # (say, its retries used up on a database outage) while the others finished the run
        # does not fail the backfill. The DAG run's state is this task's: it is the only leaf.
        trigger_rule="all_done",
        # 6 and 7 come back the same on every retry; the retries are for a database blip.
        retries=2,
        retry_delay=timedelta(minutes=1),
        retry_exponential_backoff=False,
        execution_timeout=timedelta(hours=24),
    )

    work >> check
