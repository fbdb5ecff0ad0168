"""Runs the product's own CLI (`./refusalgate classify|detect`, default settings) over a JSONL file, so that probe
scripts judge exactly what the gateway ships (ONNX graphs, C# text preparation, thresholds), not a python re-creation.
$REFUSALGATE_MODELS selects another models folder, as it does for the gateway."""
import json
import os
import subprocess
import tempfile
from pathlib import Path

from .paths import REPO


def run(command: str, input_path: Path, settings: dict[str, str] | None = None) -> list[dict]:
    """The CLI's output lines, in input order; `settings` are extra environment variables (configuration keys)."""
    with tempfile.TemporaryDirectory() as work:
        target = Path(work) / "out.jsonl"
        subprocess.run([str(REPO / "refusalgate"), command, "--input", str(input_path), "--output", str(target)],
                       check=True, env=dict(os.environ, **(settings or {})), stderr=subprocess.DEVNULL, stdout=subprocess.DEVNULL)
        return [json.loads(line) for line in target.read_text(encoding="utf-8").splitlines()]
