"""Where the training scripts find the shared datasets: $REFUSALGATE_DATASETS when set, else
../shared/datasets beside the repository (where CI and every machine here put them). The C# tests
and benchmarks follow the same rule."""
import os
from pathlib import Path

REPO = Path(__file__).resolve().parents[3]
DATASETS = Path(os.environ.get("REFUSALGATE_DATASETS") or REPO.parent / "shared" / "datasets")
