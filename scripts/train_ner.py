"""Train the NER layer once per seed, the runs side by side: <output>/seed<k>/model-best for each.

    python scripts/train_ner.py configs/ner.cfg training/ner corpus/train.spacy corpus/dev.spacy --seeds 0,1

scripts/assemble_pipeline.py puts the runs together as one NER (spacy_imr.ner_ensemble). spaCy trains
on one core, so two seeds take about the wall time of one on a two-core machine; `--jobs` caps how
many run at once. Each run's log is <output>/seed<k>.log; a failed run names its log and ends the
command with an error, after the other runs finish. Runs of seeds not asked for are removed, so the
assembly never picks up a stale one.
"""
import shutil
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import List, Optional

import typer


def train_ner(config: Path, output: Path, train: Path, dev: Path, *, seeds: List[int], max_steps: Optional[int],
              jobs: int) -> List[Path]:
    """Train one NER per seed (`max_steps` None: the config's); return the model-best directories in seed order."""
    output.mkdir(parents=True, exist_ok=True)
    wanted = {name for seed in seeds for name in (f"seed{seed}", f"seed{seed}.log")}
    for stale in output.glob("seed*"):
        if stale.name not in wanted:
            shutil.rmtree(stale) if stale.is_dir() else stale.unlink()

    def run(seed: int) -> int:
        command = [sys.executable, "-m", "spacy", "train", str(config), "--output", str(output / f"seed{seed}"),
                   "--paths.train", str(train), "--paths.dev", str(dev), "--system.seed", str(seed)]
        if max_steps is not None:
            command += ["--training.max_steps", str(max_steps)]
        with (output / f"seed{seed}.log").open("w", encoding="utf8") as log:
            return subprocess.run(command, stdout=log, stderr=subprocess.STDOUT).returncode

    with ThreadPoolExecutor(max_workers=max(1, jobs)) as pool:
        codes = list(pool.map(run, seeds))
    failed = [seed for seed, code in zip(seeds, codes) if code != 0]
    if failed:
        logs = ", ".join(str(output / f"seed{seed}.log") for seed in failed)
        raise RuntimeError(f"NER training failed for seed(s) {failed}; see {logs}")
    return [output / f"seed{seed}" / "model-best" for seed in seeds]


def main(config: Path, output: Path, train: Path, dev: Path,
         seeds: str = typer.Option("0,1", help="comma-separated training seeds, one NER each"),
         max_steps: Optional[int] = typer.Option(None, help="training steps of each run (default: the config's)"),
         jobs: int = typer.Option(2, help="runs at once (spaCy trains on one core)")):
    try:
        models = train_ner(config, output, train, dev, seeds=[int(seed) for seed in seeds.split(",")],
                           max_steps=max_steps, jobs=jobs)
    except RuntimeError as error:
        typer.echo(str(error), err=True)
        raise typer.Exit(1)
    for model in models:
        typer.echo(f"NER -> {model}")


if __name__ == "__main__":
    typer.run(main)
