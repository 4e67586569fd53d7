"""The README stays an entry point: small, its links resolve, its two commands are the Makefile's and CI's."""

from __future__ import annotations

import re

import pytest

PAGES = [
    "README.md",
    *[
        f"docs/{name}"
        for name in (
            "data.md",
            "features.md",
            "modelling.md",
            "serving.md",
            "webapp.md",
            "monitoring-and-governance.md",
            "benchmarks.md",
            "decisions.md",
        )
    ],
]
LINK = re.compile(r"\]\(([^)#\s]+)(#[^)\s]*)?\)")


def test_the_readme_is_an_entry_point(project_root):
    readme = (project_root / "README.md").read_text()
    assert len(readme.encode()) <= 10_240
    assert "```mermaid" in readme
    quick_start = readme.split("## Quick start")[1].split("```bash")[1].split("```")[0]
    assert [line.split("#")[0].strip() for line in quick_start.strip().splitlines()] == ["make run", "make test"]
    deployment = readme.split("## Quick start")[1].split("```bash")[2].split("```")[0].strip().splitlines()
    assert deployment[0].split("#")[0].strip() == "make container"
    assert (
        deployment[1].startswith("podman run ")
        and "-p 3000:3000" in deployment[1]
        and ":/var/lib/credit_scoring" in deployment[1]
    )


@pytest.mark.parametrize("page", PAGES)
def test_every_relative_link_resolves(project_root, page):
    text = (project_root / page).read_text()
    folder = (project_root / page).parent
    for target, _ in LINK.findall(text):
        if not target.startswith(("http://", "https://", "mailto:")):
            assert (folder / target).exists(), f"{page}: broken link {target}"


def test_ci_calls_exactly_the_readmes_test_command(project_root):
    ci = (project_root / ".ci/run").read_text().strip().splitlines()
    assert ci[-1] == "make test"
    makefile = (project_root / "Makefile").read_text()
    test_recipe = makefile.split("\ntest:")[1].split("\n\n")[0]
    assert "ruff check" in test_recipe and "ruff format --check" in test_recipe and "pytest" in test_recipe
