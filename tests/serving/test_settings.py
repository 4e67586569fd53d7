"""Service settings from the environment: worker count follows the CPUs the service may use."""

import os

import pytest

from pret_a_depenser.scoring.settings import ServiceSettings, SettingsError, available_cpus

AFFINITY = len(os.sched_getaffinity(0))


def test_workers_default_to_the_usable_cpus_and_follow_the_environment():
    assert ServiceSettings.from_environment({}).workers == available_cpus() >= 1
    assert ServiceSettings().workers == available_cpus()
    assert ServiceSettings.from_environment({"CREDIT_SCORING_WORKERS": "3"}).workers == 3
    with pytest.raises(SettingsError, match="CREDIT_SCORING_WORKERS='0' must be positive"):
        ServiceSettings.from_environment({"CREDIT_SCORING_WORKERS": "0"})


@pytest.mark.parametrize(
    ("cpu_max", "expected"),
    [("max 100000\n", AFFINITY), ("50000 100000\n", 1), ("150000 100000\n", min(2, AFFINITY)), ("garbage", AFFINITY)],
)
def test_a_container_cpu_quota_caps_the_workers(tmp_path, cpu_max, expected):
    quota = tmp_path / "cpu.max"
    quota.write_text(cpu_max)
    assert available_cpus(quota) == expected
    assert available_cpus(tmp_path / "absent") == AFFINITY
