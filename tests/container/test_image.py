"""The service image run for real: it starts as a non-root user, scores as the project does, answers
client errors as `bentoml serve` does, and its audit log outlives the container."""

from __future__ import annotations

import json
import sys
import threading
import time
from pathlib import Path

import httpx
import pytest

from pret_a_depenser.scoring import ApplicantRecords, audit_postgres, read_model_directory
from pret_a_depenser.scoring.audit import read_decisions

from .conftest import API_KEY, PROJECT_ROOT, start_container

APPLICANT = json.loads((PROJECT_ROOT / "examples" / "applicant.json").read_text())
AUTHORISED = {"Authorization": f"Bearer {API_KEY}"}
GRACEFUL_STOP_SECONDS = 30


@pytest.fixture(scope="module")
def served(engine, service_image, tmp_path_factory):
    """One container with an API key and the default settings otherwise."""
    volume = tmp_path_factory.mktemp("audit")
    volume.chmod(0o777)
    container = start_container(engine, service_image, volume, CREDIT_SCORING_API_KEY=API_KEY)
    print(f"\ncontainer ready in {container.ready_seconds:.1f} s", file=sys.stderr)
    return container


@pytest.fixture(scope="module")
def in_process_model(finished_project):
    """The same stored model, loaded in this process."""
    store = finished_project / "bentoml" / "models" / "credit_scoring"
    version = (store / "latest").read_text().strip()
    return read_model_directory(store / version, f"credit_scoring:{version}", "bentoml")


def test_the_image_runs_as_a_non_root_user_configured_by_environment(engine, service_image, served):
    inspected = json.loads(engine("image", "inspect", service_image.id).stdout)[0]
    config = inspected["Config"]
    assert config["User"] == "bentoml"
    assert any(variable.startswith("CREDIT_SCORING_AUDIT_LOG=/var/lib/credit_scoring/") for variable in config["Env"])
    assert "/var/lib/credit_scoring" in (config.get("Volumes") or {})
    uid = engine("exec", served.id, "id", "-u").stdout.strip()
    assert uid != "0"
    health_check = inspected.get("Healthcheck") or config.get("Healthcheck")  # podman's place, docker's place
    assert "/readyz" in " ".join(health_check["Test"])
    if engine.name == "podman":  # podman schedules health checks with systemd timers; run the check itself
        assert engine("healthcheck", "run", served.id, check=False).returncode == 0
    for absent in ("kedro", "lightgbm", "xgboost", "sklearn"):
        found = engine(
            "exec", served.id, "python3", "-c", f"import importlib.util; print(importlib.util.find_spec({absent!r}) is None)"
        )
        assert found.stdout.strip() == "True", f"{absent} is installed in the image"


def test_health_predict_and_explain_equal_in_process_scoring(served, in_process_model):
    health = httpx.get(f"{served.url}/health", timeout=10).json()
    assert health["ready"] is True and health["model_tag"] == in_process_model.tag

    inputs = in_process_model.inputs_from_records([ApplicantRecords.model_validate(APPLICANT)])
    expected = in_process_model.score_inputs(inputs)[0].as_dict()
    expected_explanation = in_process_model.explain_inputs(inputs)[0].as_dict()

    predicted = httpx.post(f"{served.url}/predict", json=APPLICANT, headers=AUTHORISED, timeout=30)
    assert predicted.status_code == 200, predicted.text
    prediction = predicted.json()
    assert prediction["probability_of_default"] == pytest.approx(expected["probability_of_default"], abs=1e-9)
    assert prediction["decision"] == expected["decision"]
    assert prediction["threshold"] == expected["threshold"]

    explained = httpx.post(f"{served.url}/explain", json=APPLICANT, headers=AUTHORISED, timeout=30)
    assert explained.status_code == 200, explained.text
    explanation = explained.json()
    assert explanation["probability_of_default"] == pytest.approx(expected["probability_of_default"], abs=1e-9)
    assert explanation["decision"] == expected_explanation["decision"]
    assert [reason["feature"] for reason in explanation["reasons"]] == [
        reason["feature"] for reason in expected_explanation["reasons"]
    ]
    assert [reason["text"] for reason in explanation["reasons"]] == [reason["text"] for reason in expected_explanation["reasons"]]


def test_wrong_api_key_is_401_and_a_malformed_body_is_400(served):
    wrong = httpx.post(f"{served.url}/predict", json=APPLICANT, headers={"Authorization": "Bearer wrong"}, timeout=10)
    assert wrong.status_code == 401
    malformed = httpx.post(
        f"{served.url}/predict",
        content=b'{"application": {"SK_ID_CURR": ',
        headers={**AUTHORISED, "Content-Type": "application/json"},
        timeout=10,
    )
    assert malformed.status_code == 400
    missing_field = httpx.post(f"{served.url}/predict", json={"bureau": []}, headers=AUTHORISED, timeout=10)
    assert missing_field.status_code == 400 and "application" in missing_field.text


def _burst(url: str, answered: list[str], failures: list[str], stop: threading.Event) -> None:
    """Sends /predict requests one after another until the server goes away; keeps the ids answered 200."""
    with httpx.Client(timeout=30) as client:
        while not stop.is_set():
            try:
                response = client.post(f"{url}/predict", json=APPLICANT, headers=AUTHORISED)
            except httpx.TransportError:
                return
            if response.status_code == 200:
                answered.append(response.json()["request_id"])
            elif response.status_code not in (503,):
                failures.append(f"{response.status_code}: {response.text[:200]}")


def test_stop_during_a_burst_keeps_every_answered_decision_and_a_new_container_appends(engine, service_image, audit_volume):
    first = start_container(engine, service_image, audit_volume, CREDIT_SCORING_API_KEY=API_KEY, CREDIT_SCORING_WORKERS="2")
    answered: list[str] = []
    failures: list[str] = []
    stop = threading.Event()
    clients = [threading.Thread(target=_burst, args=(first.url, answered, failures, stop)) for _ in range(6)]
    for client in clients:
        client.start()
    while len(answered) < 30:
        time.sleep(0.05)
    stopping = time.monotonic()
    engine("stop", "--time", str(GRACEFUL_STOP_SECONDS), first.id, timeout=GRACEFUL_STOP_SECONDS + 30)
    stop_seconds = time.monotonic() - stopping
    stop.set()
    for client in clients:
        client.join(timeout=60)
    exit_code = int(engine("inspect", "--format", "{{.State.ExitCode}}", first.id).stdout)

    audit_log = audit_volume / "decisions.sqlite"
    recorded = {row["request_id"] for row in read_decisions(audit_log)}
    print(
        f"\nSIGTERM during a burst: {len(answered)} decisions answered 200, {len(recorded)} recorded, "
        f"stopped in {stop_seconds:.1f} s with exit code {exit_code}",
        file=sys.stderr,
    )
    assert failures == []
    assert set(answered) <= recorded
    assert stop_seconds < GRACEFUL_STOP_SECONDS, "the container was killed at the end of the graceful-shutdown time"
    assert exit_code != 137

    second = start_container(engine, service_image, audit_volume, CREDIT_SCORING_API_KEY=API_KEY)
    again = httpx.post(f"{second.url}/predict", json=APPLICANT, headers=AUTHORISED, timeout=30)
    assert again.status_code == 200
    rows = read_decisions(audit_log)
    assert recorded <= {row["request_id"] for row in rows}
    assert rows[-1]["request_id"] == again.json()["request_id"]
    assert Path(audit_log).stat().st_uid != 0  # written by the container's own user


def test_the_image_holds_no_file_of_the_build_machine(engine, service_image):
    """mmdebstrap copies the machine's /etc/hostname and /etc/resolv.conf: the engines provide their own at
    run time (the build leaves empty mount points)."""
    if engine.name != "podman":
        pytest.skip("reads the image's files with `podman image mount`")
    root = Path(engine("image", "mount", service_image.id).stdout.strip())
    try:
        for name in ("hostname", "hosts", "resolv.conf"):
            path = root / "etc" / name
            assert not path.exists() or path.read_text() == "", f"/etc/{name} holds the build machine's {path.read_text()!r}"
    finally:
        engine("image", "unmount", service_image.id, check=False)


def test_the_audit_log_in_postgresql_is_set_by_environment(engine, service_image, audit_volume, postgres_url):
    served = start_container(
        engine,
        service_image,
        audit_volume,
        host_network=True,
        CREDIT_SCORING_AUDIT_LOG=postgres_url,
        CREDIT_SCORING_API_KEY=API_KEY,
    )
    predicted = httpx.post(f"{served.url}/predict", json=APPLICANT, headers=AUTHORISED, timeout=30)
    assert predicted.status_code == 200, predicted.text
    assert predicted.json()["request_id"] in {row["request_id"] for row in audit_postgres.read(postgres_url)}
    assert list(audit_volume.iterdir()) == []  # nothing written to the file default
