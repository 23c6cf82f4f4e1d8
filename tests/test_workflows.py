"""The GitHub Actions workflows and the pre-commit hook: valid, and running commands that exist."""

from __future__ import annotations

import os
import shlex
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from builder import cli

ROOT = Path(__file__).resolve().parent.parent
WORKFLOWS = ROOT / ".github" / "workflows"
FIXTURE = Path(__file__).parent / "data" / "contrib-site"


def check_jsonschema(schema: str, *files: Path) -> subprocess.CompletedProcess:
    """Run check-jsonschema with one of its built-in (offline) schemas."""
    try:
        import check_jsonschema  # noqa: F401
    except ImportError:
        if os.environ.get("CI"):
            pytest.fail("check-jsonschema is not installed (it is in the test extra)")
        pytest.skip("check-jsonschema is not installed: pip install -e '.[test]'")
    command = [sys.executable, "-m", "check_jsonschema", "--builtin-schema", schema, *map(str, files)]
    return subprocess.run(command, capture_output=True, text=True, timeout=120)


def workflow(name: str) -> dict:
    return yaml.safe_load((WORKFLOWS / name).read_text(encoding="utf-8"))


def steps(name: str) -> list[dict]:
    return [step for job in workflow(name)["jobs"].values() for step in job.get("steps", [])]


def dossier_commands(name: str) -> list[list[str]]:
    """Each ``dossier ...`` command a workflow runs, as arguments, without redirections."""
    found = []
    for step in steps(name):
        for line in step.get("run", "").splitlines():
            words = shlex.split(line)
            if words and words[0] == "dossier":
                cut = next((i for i, w in enumerate(words) if w in {">", ">>", "|", "&&", "||"}), len(words))
                found.append(words[1:cut])
    return found


def test_workflows_match_the_github_workflow_schema():
    files = sorted(WORKFLOWS.glob("*.yml"))
    assert [f.name for f in files] == ["pages.yml", "pull-request.yml"]
    for schema in ("vendor.github-workflows", "custom.github-workflows-require-timeout"):
        result = check_jsonschema(schema, *files)
        assert result.returncode == 0, result.stdout + result.stderr


def test_the_schema_check_rejects_a_broken_workflow(tmp_path):
    broken = tmp_path / "broken.yml"
    broken.write_text("on: push\njobs:\n  a:\n    steps:\n      - run: true\n        uses: actions/checkout@v4\n", encoding="utf-8")
    result = check_jsonschema("vendor.github-workflows", broken)
    assert result.returncode == 1 and "broken.yml" in result.stdout


def test_pull_request_steps_in_order():
    runs = [step.get("run", step.get("uses", "")) for step in steps("pull-request.yml")]
    order = ["dossier check --format github", "dossier build --output site", "bash .ci/run",
             "actions/upload-artifact@v4", 'dossier diff "origin/$GITHUB_BASE_REF" HEAD >> "$GITHUB_STEP_SUMMARY"']
    positions = [next(i for i, run in enumerate(runs) if want in run) for want in order]
    assert positions == sorted(positions)
    assert workflow("pull-request.yml")[True] == {"pull_request": None}  # YAML 1.1 reads the key `on` as true
    checkout = next(s for s in steps("pull-request.yml") if s.get("uses", "").startswith("actions/checkout"))
    assert checkout["with"]["fetch-depth"] == 0, "the digest needs the base branch's history"


def test_pages_deploys_with_the_official_actions():
    pages = workflow("pages.yml")
    assert pages[True]["push"] == {"branches": ["main"]}
    assert pages["permissions"] == {"contents": "read", "pages": "write", "id-token": "write"}
    uses = [step.get("uses", "").split("@")[0] for step in steps("pages.yml")]
    for action in ("actions/configure-pages", "actions/upload-pages-artifact", "actions/deploy-pages"):
        assert action in uses
    assert pages["jobs"]["deploy"]["environment"]["name"] == "github-pages"


@pytest.mark.parametrize("name", ["pull-request.yml", "pages.yml"])
def test_every_dossier_command_in_a_workflow_is_valid_usage(name):
    commands = dossier_commands(name)
    assert commands
    parser = cli._parser()
    for arguments in commands:
        parser.parse_args(arguments)  # exits with status 2 on wrong usage


def test_pre_commit_hook_runs_dossier_check(tmp_path):
    config = yaml.safe_load((ROOT / ".pre-commit-config.yaml").read_text(encoding="utf-8"))
    hooks = {hook["id"]: hook for repo in config["repos"] if repo["repo"] == "local" for hook in repo["hooks"]}
    hook = hooks["dossier-check"]
    assert (hook["language"], hook["pass_filenames"], hook["files"]) == ("system", False, "^content/")
    words = shlex.split(hook["entry"])
    assert words[0] == "dossier"
    shutil.copytree(FIXTURE, tmp_path / "content")
    run = lambda: subprocess.run([sys.executable, "-m", "builder", *words[1:]], cwd=tmp_path, capture_output=True, text=True)
    assert run().returncode == 0
    (tmp_path / "content" / "officials" / "wang-yi.md").write_text("---\nname: Wang Yi\ncountry: chna\n---\n", encoding="utf-8")
    failed = run()
    assert failed.returncode == 1 and "content/officials/wang-yi.md:3:10: error: unknown country reference 'chna'" in failed.stderr
