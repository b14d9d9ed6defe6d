"""Throughput of score_transformer on real review sentences, with a DistilBERT-sized model built here.

    python -m benchmarks.bench_transformer [--quick] [--batch-size 32]

No model can be downloaded here, so the model is DistilBERT-base's architecture (6 layers, 768 wide,
66M parameters) with random weights and a WordPiece vocabulary of the sentences' words: the speed of a
real DistilBERT sentiment model, not its accuracy. Texts are the UCI sentences (../shared/data/sentiment),
all distinct. Prints texts/s and the lexicon's rate on the same texts for scale.
"""

from __future__ import annotations

import argparse
import os
import re
import sys
import tempfile
import time
import warnings
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SHARED = Path(os.environ.get("JKIT_SHARED_DATA", ROOT.parent / "shared" / "data"))


def _sentences() -> list[str]:
    out = []
    for name in ("amazon_cells_labelled", "imdb_labelled", "yelp_labelled"):
        with open(SHARED / "sentiment" / f"{name}.txt", encoding="utf-8") as fh:
            next(fh)
            out += [line.rstrip("\r\n").rsplit("\t", 1)[0] for line in fh if line.strip()]
    return list(dict.fromkeys(out))


def _build(folder: Path, texts: list[str]) -> None:
    import torch
    import transformers

    words = sorted({w for t in texts for w in re.findall(r"\w+|[^\w\s]", t.lower())})
    vocab = ["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]", *words]
    (folder / "vocab.txt").write_text("\n".join(vocab) + "\n", encoding="utf-8")
    transformers.BertTokenizerFast(vocab_file=str(folder / "vocab.txt")).save_pretrained(folder)
    config = transformers.DistilBertConfig(vocab_size=len(vocab), id2label={0: "NEGATIVE", 1: "POSITIVE"},
                                           label2id={"NEGATIVE": 0, "POSITIVE": 1})
    torch.manual_seed(0)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        transformers.DistilBertForSequenceClassification(config).save_pretrained(folder)


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="300 sentences instead of all 3,000")
    parser.add_argument("--full", action="store_true", help="(the default sizes)")
    parser.add_argument("--batch-size", type=int, default=32)
    args = parser.parse_args(argv)
    try:
        import torch
        import transformers  # noqa: F401
    except ImportError:
        print("transformers/torch not installed (pip install 'jkit[transformers]'): skipped")
        return 0
    if not (SHARED / "sentiment").is_dir():
        print(f"{SHARED / 'sentiment'} not found: skipped")
        return 0
    from jkit.sentiment import score_sentiment
    from jkit.sentiment.transformer import load_transformer, score_transformer

    texts = _sentences()
    if args.quick:
        texts = texts[::10]
    with tempfile.TemporaryDirectory() as tmp:
        _build(Path(tmp), texts)
        t0 = time.perf_counter()
        model = load_transformer(tmp)
        load_s = time.perf_counter() - t0
        t0 = time.perf_counter()
        out = score_transformer(texts, model, batch_size=args.batch_size, english_only=False)
        model_s = time.perf_counter() - t0
    t0 = time.perf_counter()
    score_sentiment(texts, rules="vader", sentences=False, n_jobs=1)
    lex_s = time.perf_counter() - t0
    scored = int(out["label"].notna().sum())
    print(f"torch {torch.__version__}, {torch.get_num_threads()} threads, device {model.device}; "
          f"DistilBERT-sized model (66M parameters, random weights), batch_size={args.batch_size}")
    print(f"texts: {len(texts):,} distinct UCI sentences, {scored:,} scored; model loaded in {load_s:.1f} s")
    print(f"score_transformer: {len(texts) / model_s:,.0f} texts/s ({model_s:.1f} s)")
    print(f"lexicon (rules='vader', one process): {len(texts) / lex_s:,.0f} texts/s ({lex_s:.2f} s)")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
