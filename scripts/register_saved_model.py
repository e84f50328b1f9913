"""Register an exported generator in tfgan_zoo/saved_models/index.json (with the sha256 of its files).

    tfgan-zoo export --run runs/clustered_dcgan_mnist5k --out tfgan_zoo/saved_models/clustered_dcgan_mnist5k/1
    python scripts/register_saved_model.py clustered_dcgan_mnist5k "DCGAN with a cluster-conditioned D on the embedded MNIST subset"

The files' sha256 let `load_generator` refuse damaged files (or Git LFS pointers) with a clear error.
"""
from __future__ import annotations

import argparse
import json
from pathlib import Path

from tfgan_zoo.pretrained import INDEX_FILE, saved_models_dir, sha256_file
from tfgan_zoo.training.runner import write_json_atomic

VERSION = "1"


def index_entry(folder: Path, relative: str, description: str) -> dict:
    """An index.json entry for the SavedModel in `folder` (saved_model.pb and variables/*)."""
    files = ["saved_model.pb", *sorted(p.relative_to(folder).as_posix() for p in (folder / "variables").iterdir())]
    return {"path": relative, "description": description,
            "files_sha256": {name: sha256_file(folder / name) for name in files}}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("name", help="the folder under saved_models/ (and the name load_generator takes)")
    parser.add_argument("description", help="one line, shown by list_pretrained()")
    args = parser.parse_args()
    root = saved_models_dir()
    folder = root / args.name / VERSION
    if not (folder / "saved_model.pb").is_file():
        raise SystemExit(f"No SavedModel at {folder}: run `tfgan-zoo export --run DIR --out {folder}` first.")
    index_path = root / INDEX_FILE
    index = json.loads(index_path.read_text()) if index_path.is_file() else {}
    index[args.name] = index_entry(folder, f"{args.name}/{VERSION}", args.description)
    write_json_atomic(index_path, dict(sorted(index.items())))
    print(f"Registered {args.name} in {index_path}")


if __name__ == "__main__":
    main()
