"""`tfgan-zoo export --run DIR --out PATH/1 [--overwrite] [--name NAME] [--data-license TEXT]
[--stage final|current]`:
a SavedModel of the run's generator with model_card.json and README.md (tfgan_zoo.export.export_run).

A finished run exports its generator.keras (the EMA copy when the run kept one); a run that did not
finish exports its latest checkpoint, and says which step. For TF Serving, PATH is a numeric
version folder of the model's base directory: `--out serving/NAME/1`, then serve `serving/NAME`.
"""
from __future__ import annotations

import argparse

from tfgan_zoo.cli.registry import EXIT_OK, register_command


def configure(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--run", required=True, metavar="DIR",
                        help="a run directory (finished: its generator.keras; else its latest checkpoint)")
    parser.add_argument("--out", required=True, metavar="PATH",
                        help="the SavedModel directory to create; for TF Serving a version folder, e.g. serving/NAME/1")
    parser.add_argument("--overwrite", action="store_true", help="replace PATH if it is a non-empty directory")
    parser.add_argument("--name", help="model name in the model card (default: the preset name)")
    parser.add_argument("--data-license", metavar="TEXT", help="licence of the training data, for the model card")
    parser.add_argument("--stage", choices=("final", "current"), default="final",
                        help="progressive runs: the grown networks (final; refused before the last stage) or "
                             "the stage the run reached (current)")


def run(args: argparse.Namespace) -> int:
    from tfgan_zoo.export import export_run

    result = export_run(args.run, args.out, overwrite=args.overwrite, name=args.name, data_license=args.data_license,
                        stage=args.stage)
    interface = result.card["interface"]
    classes = f", {interface['num_classes']} classes" if interface["num_classes"] else ""
    print(f"Exported the {interface['output_kind']} generator of {args.run} (latent_dim {interface['latent_dim']}"
          f"{classes}; {interface['latent_distribution']}) to {result.path}")
    if not result.finished:
        print(f"Note: the run did not finish; this is its latest checkpoint, step {result.step} of {result.total_steps}.")
    if not result.path.name.isdigit():
        print(f"Note: TF Serving expects numeric version folders; use --out {result.path}/1 to serve {result.path}.")
    else:
        base = result.path.resolve().parent
        print(f"Serve it: tensorflow_model_server --rest_api_port=8501 --model_name={base.name} "
              f"--model_base_path={base}")
    return EXIT_OK


register_command("export", help="export a run's generator as a SavedModel for TF Serving", configure=configure,
                 run=run, description="Export a run's generator as a TensorFlow SavedModel (TF Serving layout: "
                                      "--out MODEL_DIR/1); an unfinished run exports its latest checkpoint.")
