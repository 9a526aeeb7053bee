"""A rehearsal of deploy/airflow/backfill_dag.py without Airflow (which Debian does not package).

The DAG file is executed against a stand-in `airflow` package that only records what the file
declares. Then each task's script is rendered with Jinja the way Airflow renders templated
fields (a sandboxed environment, StrictUndefined, the DAG's param defaults) and run by bash with
stderr merged into stdout (as BashOperator's SubprocessHook does), against a fake `tributary`
that logs to stderr, records its arguments and exits with the code a case asks for. What this
proves: the commands tributary receives, the line the plan task pushes to XCom, and the exit
code each task ends with. It proves nothing about Airflow's scheduler.
"""

from __future__ import annotations

import os
import pathlib
import subprocess
import sys
import tempfile
import types

FAKE_TRIBUTARY = """#!/bin/bash
printf '%s\\x1f' "$@" >> "$FAKE_LOG"; printf '\\n' >> "$FAKE_LOG"
echo "2026-01-01T00:00:00Z info fake tributary: $1" >&2
if [[ " $* " == *" --plan-only "* && -n "$FAKE_RUN" ]]; then echo "$FAKE_RUN"; fi
echo "2026-01-01T00:00:00Z info fake tributary: done" >&2
[[ $1 == status ]] && exit 6
exit "${FAKE_EXIT:-0}"
"""


class Recorder:
    """What the DAG file declared: tasks by id."""

    def __init__(self) -> None:
        self.tasks: dict[str, dict] = {}
        self.edges: set[tuple[str, str]] = set()


def stand_in_airflow(rec: Recorder) -> dict[str, types.ModuleType]:
    class XComArg:
        def __init__(self, task_id):
            self.task_id = task_id

    class Task:
        def __init__(self, task_id, **kw):
            self.task_id = task_id
            rec.tasks[task_id] = dict(kw)

        @property
        def output(self):
            return XComArg(self.task_id)

        def __rshift__(self, other):
            rec.edges.add((self.task_id, other.task_id))
            return other

    class Partial:
        def __init__(self, task_id, kw):
            self.task_id, self.kw = task_id, kw

        def expand(self, **mapped):
            t = Task(self.task_id, **self.kw)
            rec.tasks[self.task_id]["expand"] = mapped
            return t

    class BashOperator(Task):
        @classmethod
        def partial(cls, task_id, **kw):
            return Partial(task_id, kw)

    class TaskCall:  # a @task function called in the DAG: its arguments, resolved later
        def __init__(self, fn, args):
            self.fn, self.args = fn, args

    def task(fn):
        return lambda *args: TaskCall(fn, args)

    class Param:
        def __init__(self, default, **schema):
            self.default, self.schema = default, schema

    class DAG:
        def __init__(self, dag_id, **kw):
            rec.dag = dict(kw, dag_id=dag_id)

        def __enter__(self):
            return self

        def __exit__(self, *exc):
            return False

    modules = {name: types.ModuleType(name) for name in
               ("airflow", "airflow.decorators", "airflow.models", "airflow.models.param",
                "airflow.operators", "airflow.operators.bash")}
    modules["airflow"].DAG = DAG
    modules["airflow.decorators"].task = task
    modules["airflow.models.param"].Param = Param
    modules["airflow.operators.bash"].BashOperator = BashOperator
    rec.XComArg, rec.TaskCall = XComArg, TaskCall
    return modules


def load_dag(path: pathlib.Path) -> Recorder:
    rec = Recorder()
    saved = {k: sys.modules.get(k) for k in ("airflow", "airflow.decorators", "airflow.models",
                                             "airflow.models.param", "airflow.operators", "airflow.operators.bash")}
    sys.modules.update(stand_in_airflow(rec))
    try:
        exec(compile(path.read_text(), str(path), "exec"), {"__name__": "backfill_dag"})
    finally:
        for k, v in saved.items():
            if v is None:
                sys.modules.pop(k, None)
            else:
                sys.modules[k] = v
    return rec


class Rehearsal:
    def __init__(self, rec: Recorder, jinja2, tmp: pathlib.Path) -> None:
        from jinja2.sandbox import SandboxedEnvironment

        self.rec, self.tmp = rec, tmp
        self.env = SandboxedEnvironment(undefined=jinja2.StrictUndefined)
        (tmp / "tributary").write_text(FAKE_TRIBUTARY)
        (tmp / "tributary").chmod(0o755)
        self.log = tmp / "calls"

    def render(self, template: str, params: dict, xcom: dict) -> str:
        defaults = {k: v.default for k, v in self.rec.dag["params"].items()}
        ti = types.SimpleNamespace(xcom_pull=lambda task_ids: xcom.get(task_ids))
        var = {"value": _AnyVariable()}  # {{ var.value.NAME }} renders as <NAME>
        return self.env.from_string(template).render(params={**defaults, **params}, ti=ti, var=var)

    def bash(self, script: str, exit_code: int = 0, run: str = "") -> tuple[int, str, list[list[str]]]:
        self.log.write_text("")
        env = {"PATH": f"{self.tmp}:{os.environ.get('PATH', '/usr/bin:/bin')}", "FAKE_LOG": str(self.log),
               "FAKE_EXIT": str(exit_code), "FAKE_RUN": run}
        r = subprocess.run(["bash", "-c", script], env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                           text=True, timeout=30)
        calls = [line.split("\x1f")[:-1] for line in self.log.read_text().splitlines()]
        return r.returncode, r.stdout, calls


class _AnyVariable:
    def __getattr__(self, name):
        return f"<{name}>"


def run(p, root: pathlib.Path) -> bool:
    """Runs the rehearsal, adding to `p`; False when Jinja is missing (nothing was checked)."""
    try:
        import jinja2
    except ImportError:
        return False
    where = "deploy/airflow/backfill_dag.py (rehearsed)"
    rec = load_dag(root / "deploy/airflow/backfill_dag.py")
    with tempfile.TemporaryDirectory() as tmp:
        r = Rehearsal(rec, jinja2, pathlib.Path(tmp))
        config = "/opt/tributary/config/quickbooks.yaml"
        try:
            for value in rec.tasks["plan"]["env"].values():
                r.render(value, {}, {})  # every Variable reference renders
            rehearse_plan(p, where, r, config)
            rehearse_workers(p, where, r, config)
            rehearse_check(p, where, r, config)
        except (jinja2.TemplateError, KeyError, AttributeError, TypeError, ValueError) as e:
            # An undefined name in a template (`{{ run_id }}` in a task's script has no value
            # here), or a task the file no longer declares the way this rehearsal expects.
            p.check(False, where, f"the rehearsal stopped: {type(e).__name__}: {e}")
    return True


def rehearse_plan(p, where, r: Rehearsal, config: str) -> None:
    params = {"streams": ["invoices", "customers"], "start": "2015-01-01", "end": "2025-01-01", "chunk_days": 30}
    script = r.render(r.rec.tasks["plan"]["bash_command"], params, {})
    code, out, calls = r.bash(script, 0, run="17")
    want = ["--log-level", "warn", "backfill", "--config", config, "--stream", "invoices", "--stream", "customers",
            "--start", "2015-01-01", "--end", "2025-01-01", "--chunk-days", "30", "--wait", "300", "--plan-only"]
    p.check(calls == [want], where, f"plan: tributary called as {calls}, expected [{want}]")
    p.check(code == 0 and out.splitlines()[-1:] == ["17"], where,
            f"plan: exit {code}, last line {out.splitlines()[-1:]} (what XCom gets), expected 0 and ['17']")
    code, _, _ = r.bash(script, 4, run="")
    p.check(code == 4, where, f"plan: tributary exited 4, the task exits {code}")
    code, out, _ = r.bash(script, 0, run="")
    p.check(code != 0, where, "plan: tributary printed no run id and the task still succeeded")


def rehearse_workers(p, where, r: Rehearsal, config: str) -> None:
    mapped = r.rec.tasks["work"]["expand"]["bash_command"]
    run_arg, workers_arg = mapped.args
    p.check(isinstance(run_arg, r.rec.XComArg) and run_arg.task_id == "plan", where,
            "work: the run id does not come from the plan task's XCom")
    workers = r.render(workers_arg, {"workers": 3}, {})
    scripts = mapped.fn("17", workers)
    p.check(len(scripts) == 3, where, f"work: workers=3 mapped to {len(scripts)} tasks")
    for tributary_exit, task_exit in ((0, 0), (6, 0), (7, 0), (4, 4), (130, 130), (5, 5)):
        code, _, calls = r.bash(scripts[0], tributary_exit)
        p.check(calls == [["worker", "--run", "17", "--config", config]], where, f"work: tributary called as {calls}")
        p.check(code == task_exit, where, f"work: tributary exited {tributary_exit}, the task exits {code}, expected {task_exit}")
    try:
        mapped.fn("None", "3")
        p.check(False, where, "work: a plan that pushed no run id still mapped worker tasks")
    except ValueError:
        pass


def rehearse_check(p, where, r: Rehearsal, config: str) -> None:
    template = r.rec.tasks["check"]["bash_command"]
    for tributary_exit in (0, 6, 7, 4):
        code, _, calls = r.bash(r.render(template, {}, {"plan": "17"}), tributary_exit)
        p.check(code == tributary_exit, where, f"check: the run's code {tributary_exit} became {code}")
        p.check(calls[-1:] == [["worker", "--run", "17", "--config", config]], where, f"check: tributary called as {calls}")
    code, _, calls = r.bash(r.render(template, {}, {}), 0)
    p.check(code != 0 and not calls, where, f"check: with no run id from the plan it exits {code} after calling {calls}")
