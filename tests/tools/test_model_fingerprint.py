"""The model's fingerprint covers every input that changes what `rasa train` produces."""

from __future__ import annotations

from pathlib import Path

import yaml

from tools.stack import REPO_ROOT, TRAINING_INPUTS


def test_every_custom_pipeline_component_is_part_of_the_fingerprint() -> None:
    config = yaml.safe_load((REPO_ROOT / "config.yml").read_text())
    custom = [step["name"] for step in config["pipeline"] if "." in step["name"]]
    assert custom, "expected our own components in the pipeline"
    for name in custom:
        module_file = Path(*name.split(".")[:-1]).with_suffix(".py")
        assert any(module_file.is_relative_to(entry) for entry in TRAINING_INPUTS), (
            f"{name} is outside TRAINING_INPUTS: changing it would not retrain the model"
        )
