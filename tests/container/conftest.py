"""The service's OCI image, built by `scripts/container.sh` (as `make container` builds it) from the small
project's model, and containers started from it on free loopback ports.

The Python base image is built once and kept between runs (it is the same for every Bento); the service
image and every container a test starts are removed by id."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import httpx
import pytest
from serving.test_bentoml_serve import free_port

PROJECT_ROOT = Path(__file__).resolve().parents[2]
CONTAINER_SCRIPT = PROJECT_ROOT / "scripts" / "container.sh"
VOLUME = "/var/lib/credit_scoring"  # the image's audit-log volume (container/Dockerfile.j2)
API_KEY = "container-test-key"


@dataclass
class Engine:
    """The container engine as `scripts/container.sh` configures it (podman with the project's containers.conf)."""

    name: str
    environment: dict[str, str]
    created: list[str] = field(default_factory=list)

    def __call__(self, *arguments: str, check: bool = True, timeout: float = 120) -> subprocess.CompletedProcess:
        result = subprocess.run(
            [self.name, *arguments], env=self.environment, capture_output=True, text=True, timeout=timeout, check=False
        )
        if check and result.returncode != 0:
            raise AssertionError(f"{self.name} {' '.join(arguments)} failed ({result.returncode}): {result.stderr[-3000:]}")
        return result


@pytest.fixture(scope="session")
def engine() -> Engine:
    """Podman (or docker) ready to build and run: installed with apt when missing, the base image built once."""
    environment = {**os.environ, "BIN": str(Path(sys.executable).parent)}
    for step in ("tools", "base"):
        prepared = subprocess.run(
            ["bash", str(CONTAINER_SCRIPT), step],
            check=False,
            cwd=PROJECT_ROOT,
            env=environment,
            capture_output=True,
            text=True,
            timeout=600,
        )
        assert prepared.returncode == 0, f"scripts/container.sh {step}: {prepared.stderr[-3000:]}"
    printed = subprocess.run(
        ["bash", str(CONTAINER_SCRIPT), "env"], cwd=PROJECT_ROOT, env=environment, capture_output=True, text=True, check=True
    ).stdout
    settings = dict(line.split("=", 1) for line in printed.split())
    environment.update(settings)
    return Engine(settings["CONTAINER_ENGINE"], environment)


@dataclass
class ServiceImage:
    tag: str
    id: str
    size_bytes: int
    build_seconds: float


@pytest.fixture(scope="session")
def service_image(engine, finished_project) -> Iterator[ServiceImage]:
    """The image of a Bento of the small project's model, built as `make container` builds it."""
    started = time.monotonic()
    built = subprocess.run(
        ["bash", str(CONTAINER_SCRIPT), "image"],
        check=False,
        cwd=PROJECT_ROOT,
        env={**engine.environment, "BENTOML_HOME": str(finished_project / "bentoml")},
        capture_output=True,
        text=True,
        timeout=900,
    )
    assert built.returncode == 0, f"scripts/container.sh image: {built.stderr[-4000:]}"
    tag = built.stdout.strip().splitlines()[-1]
    inspected = engine("image", "inspect", "--format", "{{.Id}} {{.Size}}", tag).stdout.split()
    image = ServiceImage(tag, inspected[0], int(inspected[1]), time.monotonic() - started)
    print(f"\nservice image {tag}: {image.size_bytes / 1e6:.0f} MB, built in {image.build_seconds:.0f} s", file=sys.stderr)
    yield image
    for container_id in engine.created:
        engine("rm", "--force", "--volumes", container_id, check=False)
    engine("rmi", "--force", image.id, check=False)


@dataclass
class Container:
    id: str
    url: str
    ready_seconds: float


def start_container(
    engine: Engine, image: ServiceImage, volume: Path, host_network: bool = False, **environment: str
) -> Container:
    """A container of ``image`` serving on a free loopback port, ``volume`` mounted as the audit-log volume;
    returns once /readyz answers 200. ``host_network``: the container shares the machine's loopback (to
    reach a database listening there), and the service is told its port."""
    port = free_port()
    settings = [argument for name, value in environment.items() for argument in ("--env", f"{name}={value}")]
    if host_network:
        network, command = ["--network", "host"], ["serve", "--host", "127.0.0.1", "--port", str(port)]
    else:
        network, command = ["--publish", f"127.0.0.1:{port}:3000"], []
    started = time.monotonic()
    container_id = engine(
        "run", "--detach", *network, "--volume", f"{volume}:{VOLUME}", *settings, image.id, *command
    ).stdout.strip()
    engine.created.append(container_id)
    url = f"http://127.0.0.1:{port}"
    deadline = started + 90
    while time.monotonic() < deadline:
        try:
            if httpx.get(f"{url}/readyz", timeout=1).status_code == 200:
                return Container(container_id, url, time.monotonic() - started)
        except httpx.TransportError:
            pass
        state = engine("inspect", "--format", "{{.State.Status}}", container_id).stdout.strip()
        if state in {"exited", "stopped"}:
            raise AssertionError(f"the container exited at start: {engine('logs', container_id).stderr[-3000:]}")
        time.sleep(0.25)
    raise AssertionError(f"the container was not ready in 90 s: {engine('logs', container_id).stderr[-3000:]}")


@pytest.fixture()
def audit_volume(tmp_path) -> Path:
    """A host folder mounted as the audit-log volume, writable by the image's non-root user."""
    volume = tmp_path / "audit"
    volume.mkdir()
    volume.chmod(0o777)
    return volume
