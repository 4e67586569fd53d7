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
def test_a_cgroup_v2_cpu_quota_caps_the_workers(tmp_path, cpu_max, expected):
    (tmp_path / "cpu.max").write_text(cpu_max)
    assert available_cpus(tmp_path) == expected
    assert available_cpus(tmp_path / "absent") == AFFINITY


@pytest.mark.parametrize(("quota", "expected"), [("-1", AFFINITY), ("100000", 1), ("150000", min(2, AFFINITY))])
def test_a_cgroup_v1_cpu_quota_caps_the_workers(tmp_path, quota, expected):
    (tmp_path / "cpu").mkdir()
    (tmp_path / "cpu" / "cpu.cfs_quota_us").write_text(f"{quota}\n")
    (tmp_path / "cpu" / "cpu.cfs_period_us").write_text("100000\n")
    assert available_cpus(tmp_path) == expected
