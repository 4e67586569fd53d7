"""The progress and node-timing hooks on a two-node pipeline, without Kedro's runner."""

from __future__ import annotations

import json
import logging
from types import SimpleNamespace

from kedro.pipeline import Node, Pipeline

from pret_a_depenser.hooks import NodeTimingHooks, ProgressHooks


def _identity(value):
    return value


PIPELINE = Pipeline(
    [
        Node(_identity, "a", "b", name="first_node"),
        Node(_identity, "b", "c", name="second_node"),
    ]
)


class _Messages(logging.Handler):
    """The hooks' log messages (Kedro's logging set-up may keep them from pytest's own capture)."""

    def __init__(self) -> None:
        super().__init__(logging.INFO)
        self.messages: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.messages.append(record.getMessage())


def _logged(run) -> list[str]:
    logger = logging.getLogger("pret_a_depenser.hooks")
    handler, level = _Messages(), logger.level
    logger.addHandler(handler)
    logger.setLevel(logging.INFO)
    try:
        run()
    finally:
        logger.removeHandler(handler)
        logger.setLevel(level)
    return handler.messages


def _run(hooks: ProgressHooks) -> list[str]:
    def run() -> None:
        hooks.before_pipeline_run({}, PIPELINE)
        for node in PIPELINE.nodes:
            hooks.before_node_run(node)
            hooks.after_node_run(node)
        hooks.after_pipeline_run()

    return [message for message in _logged(run) if message.startswith("Progress:")]


def test_progress_says_where_the_run_is_and_estimates_what_is_left_from_the_last_run(tmp_path):
    hooks = ProgressHooks()
    hooks.after_context_created(SimpleNamespace(project_path=tmp_path, config_loader={"globals": {"data_dir": "data"}}))
    history = tmp_path / "data" / "08_reporting" / "node_durations.json"
    first = _run(hooks)
    assert "node 1/2 first_node" in first[0] and "no earlier run" in first[0]
    assert set(json.loads(history.read_text())) == {"first_node", "second_node"}

    history.write_text(json.dumps({"first_node": 90.0, "second_node": 30.0}))
    second = _run(hooks)
    assert "about 2 min 00 s left" in second[0] and "about 30 s left" in second[1]


def test_each_node_logs_its_time_and_peak_memory():
    hooks = NodeTimingHooks()
    node = PIPELINE.nodes[0]

    def run() -> None:
        hooks.before_node_run(node)
        hooks.after_node_run(node)

    message = _logged(run)[-1]
    assert message.startswith("Node first_node ran in ") and "peak RSS" in message
