"""The web app in a real browser (Debian's Chromium, driven by Playwright): `bentoml serve` on the small
trained model and `streamlit run app/streamlit_app.py` on free ports, as a user starts them.

Checks that the decision and probability shown are the service's for the chosen applicant, the time to
decision, the what-if, the error messages a person can meet, console errors and axe-core on every page.
A screenshot of each page is saved under ``test-artifacts/screenshots/``.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import polars as pl
import pytest
from serving.test_bentoml_serve import free_port, start_server, stop, wait_until_ready

from pret_a_depenser.datasets import RawTableDataset
from pret_a_depenser.scoring.records import REQUEST_TABLES, applicant_records

PROJECT_ROOT = Path(__file__).resolve().parents[2]
CHROMIUM = "/usr/bin/chromium"
SCREENSHOTS = PROJECT_ROOT / "test-artifacts" / "screenshots"
API_KEY = "app-test-key"
TIME_TO_DECISION_TARGET = 2.0  # seconds from choosing an applicant to the decision on the page
# Headless, and nothing that calls out: this machine has no internet.
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


@pytest.fixture(scope="module")
def app_project(finished_project, tmp_path_factory) -> Path:
    """A copy of the small trained project (its own audit log), with the app's Streamlit settings."""
    project = tmp_path_factory.mktemp("app") / "project"
    shutil.copytree(finished_project, project, ignore=shutil.ignore_patterns("decisions.sqlite*"))
    shutil.copytree(PROJECT_ROOT / ".streamlit", project / ".streamlit")
    (project / "data" / "audit").mkdir(exist_ok=True)
    return project


@pytest.fixture(scope="module")
def service_url(app_project) -> Iterator[str]:
    port = free_port()
    server = start_server(
        app_project / "bentoml", port, app_project / "data" / "audit" / "decisions.sqlite", CREDIT_SCORING_API_KEY=API_KEY
    )
    url = f"http://127.0.0.1:{port}"
    try:
        wait_until_ready(server, url)
        yield url
    finally:
        stop(server)


def start_app(project: Path, service_url: str, api_key: str) -> tuple[subprocess.Popen, str]:
    """`streamlit run` in the project folder (where Kedro resolves the catalog's paths)."""
    port = free_port()
    environment = {
        **os.environ,
        "CREDIT_SCORING_APP_SERVICE_URL": service_url,
        "CREDIT_SCORING_API_KEY": api_key,
        "CREDIT_SCORING_APP_PROJECT": str(project),
        "CREDIT_SCORING_APP_KEDRO_ENV": "test",
    }
    command = [
        str(Path(sys.executable).parent / "streamlit"),
        "run",
        str(PROJECT_ROOT / "app" / "streamlit_app.py"),
        "--server.port",
        str(port),
    ]
    log = (project / f"app-{port}.log").open("w")
    app = subprocess.Popen(command, cwd=project, env=environment, stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
    app.log_path = Path(log.name)
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        assert app.poll() is None, app.log_path.read_text()[-3000:]
        try:
            if httpx.get(f"{url}/_stcore/health", timeout=1).status_code == 200:
                return app, url
        except httpx.TransportError:
            time.sleep(0.3)
    raise AssertionError("streamlit did not start: " + app.log_path.read_text()[-3000:])


@pytest.fixture(scope="module")
def app_url(app_project, service_url) -> Iterator[str]:
    app, url = start_app(app_project, service_url, API_KEY)
    try:
        yield url
    finally:
        stop(app)


@pytest.fixture(scope="module")
def browser():
    from playwright.sync_api import sync_playwright

    assert Path(CHROMIUM).exists(), f"{CHROMIUM} is missing: `make browser` installs Debian's Chromium"
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture()
def page(browser):
    """A fresh page that collects console errors, failed requests and HTTP errors in ``page.problems``."""
    context = browser.new_context(viewport={"width": 1400, "height": 1000})
    page = context.new_page()
    page.problems = []
    page.on("console", lambda message: page.problems.append(f"console: {message.text}") if message.type == "error" else None)
    page.on("pageerror", lambda error: page.problems.append(f"page error: {error}"))
    page.on("requestfailed", lambda request: page.problems.append(f"request failed: {request.url}"))
    yield page
    context.close()


def raw_test_tables(project: Path) -> dict[str, pl.DataFrame]:
    raw = project / "data" / "01_raw"
    tables = {name: RawTableDataset(filepath=str(raw / file_name)).load() for name, file_name in REQUEST_TABLES.items()}
    return tables


def expect(locator):
    from playwright.sync_api import expect as playwright_expect

    return playwright_expect(locator)


def choose_applicant(page, applicant: int) -> float:
    """With the keyboard only: Tab to the search box, type the applicant's SK_ID_CURR, Enter; seconds
    from Enter until its decision shows."""
    box = page.get_by_role("combobox", name=re.compile("Applicant"))
    box.wait_for(timeout=60_000)
    for _ in range(30):
        if box.evaluate("element => element === document.activeElement"):
            break
        page.keyboard.press("Tab")
    else:
        raise AssertionError("the applicant search box cannot be reached with the Tab key")
    page.keyboard.type(str(applicant))
    started = time.perf_counter()
    page.keyboard.press("Enter")
    page.get_by_test_id("stAlert").filter(has_text="probability of default").first.wait_for(timeout=30_000)
    return time.perf_counter() - started


def serious_axe_violations(page) -> list[str]:
    from axe_playwright_python.sync_playwright import Axe

    violations = Axe().run(page).response["violations"]
    return [
        f"{item['id']} ({item['impact']}): {item['nodes'][0]['target']}"
        for item in violations
        if item["impact"] in ("serious", "critical")
    ]


def test_the_applicant_page_shows_the_services_decision_and_the_what_if_changes_it(app_project, app_url, service_url, page):
    tables = raw_test_tables(app_project)
    applicant = tables["application"]["SK_ID_CURR"][3]
    records = applicant_records(tables, [applicant])[0]
    served = httpx.post(f"{service_url}/predict", json=records, headers={"Authorization": f"Bearer {API_KEY}"}, timeout=30).json()

    page.goto(app_url)
    seconds = choose_applicant(page, applicant)
    print(
        f"\napplicant page: decision shown {seconds:.2f} s after choosing applicant {applicant} (target {TIME_TO_DECISION_TARGET} s)"
    )
    decision = page.get_by_test_id("stAlert").filter(has_text="probability of default").first.inner_text()
    word = "Accepted" if served["decision"] == "ACCEPTED" else "Refused"
    assert (
        f"{word} — probability of default {served['probability_of_default']:.1%} against a threshold of {served['threshold']:.1%}"
        in decision
    )
    expect(
        page.locator("li", has_text=f"Probability of default: {served['probability_of_default']:.1%}")
    ).to_be_visible()  # waits for it
    assert seconds < TIME_TO_DECISION_TARGET

    credit = page.get_by_label("Credit amount")
    credit.fill(str(round(float(records["application"]["AMT_CREDIT"]) * 3, 2)))
    page.get_by_role("button", name="Re-score with these terms").click()
    page.get_by_text("Probability of default with the new terms").wait_for(timeout=30_000)
    now, with_new_terms = (text.split("\n\n")[1] for text in page.get_by_test_id("stMetric").all_inner_texts())
    assert now == f"{served['probability_of_default']:.1%}" and with_new_terms != now
    page.wait_for_timeout(1000)  # the comparison charts finish drawing
    assert page.problems == []
    assert serious_axe_violations(page) == []
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=SCREENSHOTS / "applicant.png", full_page=True)


@pytest.mark.parametrize("name", ["Decisions", "Model"])
def test_each_page_renders_without_errors_or_serious_accessibility_violations(app_url, page, name):
    page.goto(app_url)
    page.get_by_role("combobox", name=re.compile("Applicant")).wait_for(timeout=60_000)
    page.get_by_role("link", name=name).click()  # in-app navigation, as a user moves between pages
    page.get_by_role("heading", name=name, level=1).wait_for(timeout=30_000)
    page.wait_for_timeout(2000)
    assert page.get_by_text("Traceback").count() == 0
    assert page.problems == []
    assert serious_axe_violations(page) == []
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=SCREENSHOTS / f"{name.lower()}.png", full_page=True)


def test_an_unknown_applicant_and_an_invalid_form_value_are_explained_on_the_page(app_url, page):
    page.goto(f"{app_url}/?applicant=42")
    page.get_by_text("SK_ID_CURR '42' is not one of the").wait_for(timeout=60_000)
    page.get_by_text("a blank application form").click()
    page.get_by_label("Credit amount").first.fill("-5")
    page.get_by_role("button", name="Score this application").click()
    page.get_by_text("The service found the application invalid: application.AMT_CREDIT").wait_for(timeout=30_000)
    assert page.get_by_text("Traceback").count() == 0


@pytest.mark.parametrize(
    ("case", "message"),
    [
        ("wrong API key", "The scoring service refused the app's API key"),
        ("service down", "cannot be reached. Is it running"),
    ],
)
def test_a_wrong_api_key_or_a_service_down_is_said_on_the_page(app_project, service_url, page, case, message):
    url = service_url if case == "wrong API key" else f"http://127.0.0.1:{free_port()}"
    app, app_url = start_app(app_project, url, "not-the-key")
    try:
        page.goto(f"{app_url}/?applicant={raw_test_tables(app_project)['application']['SK_ID_CURR'][0]}")
        page.get_by_text(message).wait_for(timeout=60_000)
        assert page.get_by_text("Traceback").count() == 0
    finally:
        stop(app)
