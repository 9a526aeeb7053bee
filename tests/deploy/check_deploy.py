#!/usr/bin/env python3
"""Checks the deployment files without Kubernetes or Airflow: usage `check_deploy.py SOURCE_DIR`.

- Every YAML under deploy/k8s: hardened pods (non-root, read-only root filesystem, no privilege
  escalation), no secret values inline; the backfill's plan Job runs `--plan-only`, its worker
  Job is Indexed with parallelism == completions and runs `worker --run ${RUN_ID}`, and its pod
  failure policy retries only the codes a retry can fix.
- The DAGs under deploy/airflow, read with `ast`: they compile, hold no secret, and the backfill
  DAG fans out with `.partial(...).expand(...)`, pushes the plan's stdout through XCom and checks
  the run with trigger_rule all_done.
- The backfill DAG's scripts, rendered with Jinja as Airflow would and run by bash against a fake
  `tributary` (dag_rehearsal.py): the commands and the exit codes each task ends with.
- Every deploy/ path named in README.md, docs/ and deploy/README.md exists.

Needs python3-yaml; the rehearsal needs python3-jinja2 (scripts/install-deps.sh installs both).
Exit 0 all passed, 1 a check failed or the rehearsal could not run (python3-jinja2 missing).
"""

from __future__ import annotations

import ast
import pathlib
import re
import sys

try:
    import yaml
except ImportError:
    sys.exit("check_deploy: python3-yaml is missing (scripts/install-deps.sh installs it)")

SECRET_NAME = re.compile(r"PASSWORD|SECRET|TOKEN|DB_URL|CLIENT_ID|REALM", re.I)
URL_WITH_PASSWORD = re.compile(r"://[^/@\s:]+:[^/@\s]+@")
# A retry fixes 4 (database) and 130 (signal); it cannot fix these.
NEVER_RETRIED = {2, 3, 5}
ALWAYS_RETRIED = {4, 130}


class Problems:
    def __init__(self) -> None:
        self.items: list[str] = []

    def check(self, ok: bool, where: str, what: str) -> bool:
        if not ok:
            self.items.append(f"{where}: {what}")
        return ok


def strings(node):
    """Every string in a parsed YAML document."""
    if isinstance(node, dict):
        for k, v in node.items():
            yield from strings(k)
            yield from strings(v)
    elif isinstance(node, list):
        for v in node:
            yield from strings(v)
    elif isinstance(node, str):
        yield node


def job_spec(doc):
    if doc.get("kind") == "CronJob":
        return doc["spec"]["jobTemplate"]["spec"]
    return doc["spec"] if doc.get("kind") == "Job" else None


def check_pod(p: Problems, where: str, pod: dict) -> None:
    pod_ctx = pod.get("securityContext") or {}
    for c in pod.get("containers", []) + pod.get("initContainers", []):
        at = f"{where}, container {c.get('name')}"
        ctx = c.get("securityContext") or {}
        p.check(ctx.get("runAsNonRoot", pod_ctx.get("runAsNonRoot")) is True, at, "runAsNonRoot is not true")
        p.check(ctx.get("readOnlyRootFilesystem") is True, at, "readOnlyRootFilesystem is not true")
        p.check(ctx.get("allowPrivilegeEscalation") is False, at, "allowPrivilegeEscalation is not false")
        p.check("resources" in c, at, "no resources")
        for e in c.get("env", []):
            p.check("value" not in e or not SECRET_NAME.search(e["name"]), at,
                    f"env {e['name']} has an inline value; take it from a Secret (valueFrom)")


def failure_codes(spec: dict, action: str) -> set[int]:
    codes: set[int] = set()
    for rule in (spec.get("podFailurePolicy") or {}).get("rules", []):
        on = rule.get("onExitCodes")
        if rule.get("action") == action and on and on.get("operator") == "In":
            codes |= set(on["values"])
    return codes


def check_backfill(p: Problems, where: str, docs: list, text: str) -> None:
    jobs = [d for d in docs if d.get("kind") == "Job"]
    args = {d["metadata"]["name"]: d["spec"]["template"]["spec"]["containers"][0].get("args", []) for d in jobs}
    plans = [d for d in jobs if "--plan-only" in args[d["metadata"]["name"]]]
    workers = [d for d in jobs if args[d["metadata"]["name"]][:1] == ["worker"]]
    if not p.check(len(plans) == 1, where, f"expected one Job running `backfill ... --plan-only`, found {len(plans)}"):
        return
    if not p.check(len(workers) == 1, where, f"expected one Job running `tributary worker`, found {len(workers)}"):
        return
    plan, work = plans[0], workers[0]
    plan_args, work_args = args[plan["metadata"]["name"]], args[work["metadata"]["name"]]
    p.check("backfill" in plan_args, where, f"the plan Job runs {plan_args}, not `backfill`")
    p.check(plan["spec"].get("parallelism", 1) == 1, where, "the plan Job must run one planner at a time")
    s = work["spec"]
    p.check(s.get("completionMode") == "Indexed", where, "the worker Job is not completionMode: Indexed")
    p.check(isinstance(s.get("parallelism"), int) and s.get("parallelism") == s.get("completions"), where,
            f"the worker Job's parallelism ({s.get('parallelism')}) != completions ({s.get('completions')})")
    i = work_args.index("--run") if "--run" in work_args else -1
    p.check(i >= 0 and i + 1 < len(work_args) and "${RUN_ID}" in work_args[i + 1], where,
            f"the worker Job runs {work_args}, not `worker --run ${{RUN_ID}}`")
    p.check(s.get("backoffLimit", 6) >= s.get("parallelism", 1), where,
            "the worker Job's backoffLimit is below its parallelism: one database outage fails every pod")
    for key in ("activeDeadlineSeconds", "ttlSecondsAfterFinished"):
        p.check(key in s, where, f"the worker Job has no {key}")
    fail = failure_codes(s, "FailJob")
    p.check(NEVER_RETRIED <= fail, where, f"the worker Job retries {sorted(NEVER_RETRIED - fail)}, which no retry fixes")
    p.check(not (ALWAYS_RETRIED & fail), where, f"the worker Job fails at once on {sorted(ALWAYS_RETRIED & fail)}")
    # The instructions at the top select each Job by its tributary/step label.
    for doc, step in ((plan, "plan"), (work, "work")):
        p.check(f"-l tributary/step={step}" in text, where, f"the instructions never select tributary/step={step}")
        p.check(doc["metadata"]["labels"].get("tributary/step") == step, where,
                f"Job {doc['metadata']['name']} lacks the label tributary/step={step} its instructions select")


def check_k8s(p: Problems, root: pathlib.Path) -> None:
    files = sorted((root / "deploy/k8s").glob("*.yaml"))
    p.check(bool(files), "deploy/k8s", "no YAML files")
    for path in files:
        where = str(path.relative_to(root))
        text = path.read_text()
        try:
            docs = [d for d in yaml.safe_load_all(text) if d]
        except yaml.YAMLError as e:
            p.check(False, where, f"does not parse: {e}")
            continue
        for doc in docs:
            name = f"{where} ({doc.get('kind')} {doc.get('metadata', {}).get('name')})"
            p.check(doc.get("kind") != "Secret", name, "a Secret in a committed file")
            for s in strings(doc):
                p.check(not URL_WITH_PASSWORD.search(s), name, f"a URL with a password: {s!r}")
            spec = job_spec(doc)
            if spec is not None:
                check_pod(p, name, spec["template"]["spec"])
                p.check("backoffLimit" in spec, name, "no backoffLimit")
        if path.name == "backfill-job.yaml":
            check_backfill(p, where, docs, text)
    p.check((root / "deploy/k8s/backfill-job.yaml").exists(), "deploy/k8s/backfill-job.yaml", "missing")


def module_strings(tree: ast.Module) -> dict[str, str]:
    """Module-level NAME = "..." + NAME + "..." constants, folded."""
    out: dict[str, str] = {}

    def fold(node):
        if isinstance(node, ast.Constant) and isinstance(node.value, str):
            return node.value
        if isinstance(node, ast.Name):
            return out.get(node.id)
        if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Add):
            a, b = fold(node.left), fold(node.right)
            return a + b if a is not None and b is not None else None
        return None

    for stmt in tree.body:
        if isinstance(stmt, ast.Assign) and len(stmt.targets) == 1 and isinstance(stmt.targets[0], ast.Name):
            value = fold(stmt.value)
            if value is not None:
                out[stmt.targets[0].id] = value
    return out


def operator_calls(tree: ast.Module) -> dict[str, dict[str, ast.expr]]:
    """task_id -> the keywords of the call that defines it (BashOperator(...) or .partial(...))."""
    out = {}
    for node in ast.walk(tree):
        if isinstance(node, ast.Call):
            kw = {k.arg: k.value for k in node.keywords if k.arg}
            if isinstance(kw.get("task_id"), ast.Constant):
                out[kw["task_id"].value] = kw
    return out


def check_dag_secrets(p: Problems, where: str, source: str, tree: ast.Module) -> None:
    for node in ast.walk(tree):
        if isinstance(node, ast.Dict):
            for k, v in zip(node.keys, node.values):
                if isinstance(k, ast.Constant) and isinstance(k.value, str) and SECRET_NAME.search(k.value):
                    p.check(isinstance(v, ast.Constant) and re.fullmatch(r"\{\{ var\.value\.\w+ \}\}", str(v.value)),
                            where, f"{k.value} is not taken from an Airflow Variable ({{{{ var.value.NAME }}}})")
    p.check(not URL_WITH_PASSWORD.search(source), where, "a URL with a password")


def check_backfill_dag(p: Problems, where: str, tree: ast.Module) -> None:
    consts, calls = module_strings(tree), operator_calls(tree)
    expands = [n for n in ast.walk(tree) if isinstance(n, ast.Call) and isinstance(n.func, ast.Attribute)
               and n.func.attr == "expand"]
    p.check(any(isinstance(n.func.value, ast.Call) and isinstance(n.func.value.func, ast.Attribute)
                and n.func.value.func.attr == "partial" for n in expands), where,
            "no `.partial(...).expand(...)`: the workers are not fanned out by dynamic task mapping")
    plan, check, work = calls.get("plan"), calls.get("check"), calls.get("work")
    if not (p.check(plan is not None, where, "no task `plan`") and p.check(check is not None, where, "no task `check`")
            and p.check(work is not None, where, "no task `work`")):
        return
    push = plan.get("do_xcom_push")
    p.check(push is None or (isinstance(push, ast.Constant) and push.value is True), where,
            "the plan task does not push its last stdout line to XCom (do_xcom_push)")
    plan_cmd = consts.get(getattr(plan.get("bash_command"), "id", ""), "")
    p.check("--plan-only" in plan_cmd and "backfill" in plan_cmd, where, "the plan task does not run `backfill ... --plan-only`")
    p.check(plan_cmd.rstrip().endswith('echo "$run"'), where,
            "the plan task's last output line is not the captured run id (stderr would be pushed)")
    rule = check.get("trigger_rule")
    p.check(isinstance(rule, ast.Constant) and rule.value == "all_done", where,
            "the check task's trigger_rule is not all_done: one failed worker would skip the check")
    check_cmd = consts.get(getattr(check.get("bash_command"), "id", ""), "")
    p.check("xcom_pull" in check_cmd and "worker --run" in check_cmd, where,
            "the check task does not run `tributary worker --run` on the plan's run id")
    p.check("{{ run_id }}" not in "".join(consts.values()), where,
            "`{{ run_id }}` is Airflow's DagRun id, not tributary's run id")
    p.check(any(isinstance(n, ast.BinOp) and isinstance(n.op, ast.RShift) and getattr(n.left, "id", "") == "work"
                and getattr(n.right, "id", "") == "check" for n in ast.walk(tree)), where, "the check is not downstream of work")


def check_dags(p: Problems, root: pathlib.Path) -> None:
    for path in sorted((root / "deploy/airflow").glob("*.py")):
        where = str(path.relative_to(root))
        source = path.read_text()
        try:
            tree = ast.parse(source, where)
            compile(tree, where, "exec")
        except SyntaxError as e:
            p.check(False, where, f"does not compile: {e}")
            continue
        check_dag_secrets(p, where, source, tree)
        if path.name == "backfill_dag.py":
            check_backfill_dag(p, where, tree)
    p.check((root / "deploy/airflow/backfill_dag.py").exists(), "deploy/airflow/backfill_dag.py", "missing")


def check_references(p: Problems, root: pathlib.Path) -> None:
    docs = [root / "README.md", root / "deploy/README.md", *sorted((root / "docs").glob("*.md"))]
    for doc in docs:
        text = doc.read_text()
        for ref in sorted(set(re.findall(r"(?<![\w/])deploy/[A-Za-z0-9_./@-]+\.(?:yaml|yml|py|service|timer|crontab|example)", text))):
            p.check((root / ref).exists(), str(doc.relative_to(root)), f"names {ref}, which does not exist")
        p.check("deploy/kubernetes" not in text, str(doc.relative_to(root)), "names deploy/kubernetes (now deploy/k8s)")


def main() -> int:
    if len(sys.argv) != 2:
        print(__doc__.splitlines()[0], file=sys.stderr)
        return 2
    root = pathlib.Path(sys.argv[1]).resolve()
    p = Problems()
    check_k8s(p, root)
    check_dags(p, root)
    check_references(p, root)
    sys.dont_write_bytecode = True  # ctest runs this from the source tree: leave no __pycache__
    sys.path.insert(0, str(pathlib.Path(__file__).parent))
    import dag_rehearsal

    rehearsed = dag_rehearsal.run(p, root)
    for item in p.items:
        print(f"FAIL {item}", file=sys.stderr)
    if p.items:
        return 1
    if not rehearsed:
        print("check_deploy: the DAG rehearsal could not run: python3-jinja2 is missing "
              "(scripts/install-deps.sh installs it); every other check passed", file=sys.stderr)
        return 1
    print("check_deploy: deploy/k8s, deploy/airflow and their references: all checks passed")
    return 0


if __name__ == "__main__":
    sys.exit(main())
