"""Sentiment learned from the study's own ratings: :class:`SentimentModel`.

A scikit-learn pipeline reads each text three ways — TF-IDF of word 1–2-grams, TF-IDF of
character 2–5-grams inside words (:class:`~jkit.sentiment.features.CharNgramTfidf`) and what the
lexicon says of its words, negation included (:class:`~jkit.sentiment.features.LexiconValence`) —
and a logistic regression learns from the labelled texts which of them predict the study's labels.
The n-grams are counted with array operations (:mod:`jkit.sentiment.ngrams`), so that prediction
is faster than the lexicon itself. Its class probabilities give ``pos`` / ``neu`` / ``neg``
and ``compound = p(positive) − p(negative)``.

Stratified k-fold cross-validation on the labelled texts measures the model and the lexicon on the
same folds (``cv_accuracy_``, ``lexicon_cv_accuracy_``, Wilson intervals). With few labels (fewer
than ``min_per_class`` in a class), or when the folds say the model is not better than the lexicon,
the model falls back to the lexicon: it predicts exactly what :func:`score_sentiment` gives, sets
``fallback_`` to the reason and warns. Saved models (:meth:`SentimentModel.save`) are a zip of JSON
and a skops file loaded with a list of trusted types: no pickle, no code from the file.
"""

from __future__ import annotations

import warnings
from collections import Counter
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from sklearn.base import BaseEstimator

from jkit._rules import require_columns
from jkit.errors import DataValidationError, JkitWarning, NotFittedError, ParameterError
from jkit.sentiment import workers
from jkit.sentiment.features import LEXICON_FEATURES, build_pipeline, one_blas_thread
from jkit.sentiment.labels import sentiment_labels
from jkit.sentiment.lexicon import base_lexicon
from jkit.sentiment.scoring import (
    LABELS,
    TEXT_COL_HINT,
    ScoringEngine,
    score_series,
    scorer_config,
    texts_of,
    validate_thresholds,
    warn_set_aside,
)
from jkit.sentiment.text import check_texts, distinct_values, split_sentences
from jkit.stats import wilson_interval

__all__ = ["LEXICON_FEATURES", "SentimentModel"]



def _fit(frame: pd.DataFrame, y: np.ndarray, C: float, random_state: int, extra_words: dict[str, float]):
    with one_blas_thread():
        return build_pipeline(C, random_state, extra_words).fit(frame[["text"]], y)


def _accuracy(correct: int, n: int) -> tuple[float, tuple[float, float]]:
    if n == 0:
        return float("nan"), (float("nan"), float("nan"))
    low, high = wilson_interval(correct, n)
    return correct / n, (float(low), float(high))


_TASK_SIZE = 5_000
_WORKER: dict[str, Any] = {}


def _worker_init(model: SentimentModel) -> None:
    _WORKER["model"] = model


def _worker_scores(chunk: tuple[list[Any], bool]) -> tuple[np.ndarray, list[str | None]]:
    return _WORKER["model"]._score_values(*chunk)


class SentimentModel(BaseEstimator):
    """Sentiment learned from labelled feedback (words, survey scores or ratings), VADER's scores included.

    Parameters
    ----------
    label_col : str, default "label"
        Column holding each text's label: "negative"/"neutral"/"positive" words, 0/1, or scores
        and ratings (see ``scale``). Missing values are unlabelled texts: not learned from.
    text_col : str, default "text"
        Column holding the texts.
    scale : {"nps", "csat", "stars", "ces", "binary"}, optional
        How numeric labels map to sentiment (:data:`jkit.sentiment.labels.SCALES`: NPS 0–6 / 7–8 /
        9–10, CSAT and stars 1–2 / 3 / 4–5, CES 5–7 / 4 / 1–3). Default: guessed from the values
        and the column's name (``nps``, ``csat``, ``ces``, ``stars``); other numbers need it.
    label_map : dict, optional
        Raw value -> "negative"/"neutral"/"positive" (overrides ``scale``).
    cutoffs : (float, float), optional
        ``(negative_max, positive_min)`` for numbers on another scale.
    rules : str or list, default "vader"
        The lexicon's rules (as in :func:`~jkit.sentiment.score_sentiment`) for the VADER features,
        the lexicon's cross-validated accuracy and the fallback.
    lexicon : dict or path, optional
        Domain words for the lexicon (as in :func:`~jkit.sentiment.score_sentiment`).
    thresholds : (float, float), default (-0.05, 0.05)
        The lexicon's label thresholds; with two-class labels a text is positive when
        ``compound >= thresholds[1]``, else negative.
    min_per_class : int, default 50
        Fewer labelled texts than this in a class: fall back to the lexicon.
    cv : int, default 5
        Cross-validation folds (fewer when a class has fewer texts).
    C : float, default 4.0
        Inverse regularisation strength of the logistic regression.
    min_z : float, default 1.645
        The model is used only when it beats the lexicon on the held-out folds by a paired
        (McNemar) ``z = (b - c) / sqrt(b + c)`` of at least this (one-sided 5 %), where ``b`` counts
        the texts only the model gets right and ``c`` those only the lexicon gets right; otherwise
        it falls back. ``0`` uses any gain.
    max_cv_texts : int or None, default 50_000
        Cross-validate on a stratified sample of at most this many labelled texts (the final model
        learns from all of them); ``None``: all. ``cv_folds_["n"]`` says how many were used.
    random_state : int, default 0
        Seed of the folds, the sample and the solver.
    n_jobs : int, optional
        Worker processes for the lexicon scores (as in :func:`~jkit.sentiment.score_sentiment`).

    Attributes
    ----------
    classes_ : tuple of str
        The labels learned, in :data:`~jkit.sentiment.LABELS` order (two or three).
    cv_accuracy_, lexicon_cv_accuracy_ : float
        Accuracy of the model and of the lexicon on the held-out folds of the labelled texts (NaN
        when there are too few to fold); ``cv_interval_`` and ``lexicon_cv_interval_`` are their
        95 % Wilson intervals.
    cv_folds_ : DataFrame
        Per fold: ``fold``, ``n``, ``model_accuracy``, ``lexicon_accuracy``, ``model_only``,
        ``lexicon_only`` (texts only one of them gets right).
    cv_gain_z_ : float
        The paired z of the model's gain over the lexicon (see ``min_z``; NaN without folds).
    fallback_ : str or None
        Why predictions are the lexicon's, or None when the model is used.
    n_labelled_, n_unlabelled_, n_set_aside_ : int
        Texts learned from, texts without a label, labelled texts set aside (empty, not English, ...).
    label_counts_ : dict
        Labelled texts learned from, per label.
    pipeline_ : sklearn Pipeline or None
        The fitted model (None after a fallback).
    """

    def __init__(
        self,
        label_col: str = "label",
        *,
        text_col: str = "text",
        scale: str | None = None,
        label_map: Mapping[Any, str] | None = None,
        cutoffs: tuple[float, float] | None = None,
        rules: str | Iterable[str] = "vader",
        lexicon: str | Path | Mapping[str, float] | None = None,
        thresholds: tuple[float, float] = (-0.05, 0.05),
        min_per_class: int = 50,
        cv: int = 5,
        C: float = 4.0,
        min_z: float = 1.645,
        max_cv_texts: int | None = 50_000,
        random_state: int = 0,
        n_jobs: int | None = None,
    ):
        self.label_col = label_col
        self.text_col = text_col
        self.scale = scale
        self.label_map = label_map
        self.cutoffs = cutoffs
        self.rules = rules
        self.lexicon = lexicon
        self.thresholds = thresholds
        self.min_per_class = min_per_class
        self.cv = cv
        self.C = C
        self.min_z = min_z
        self.max_cv_texts = max_cv_texts
        self.random_state = random_state
        self.n_jobs = n_jobs

    # ------------------------------------------------------------------ fitting

    def _check_params(self) -> tuple[float, float]:
        if self.max_cv_texts is not None and (not isinstance(self.max_cv_texts, (int, np.integer))
                                              or self.max_cv_texts < 10):
            raise ParameterError(f"SentimentModel(max_cv_texts={self.max_cv_texts!r}): expected None or a whole number >= 10")
        for name in ("min_per_class", "cv"):
            value = getattr(self, name)
            if not isinstance(value, (int, np.integer)) or isinstance(value, bool) or value < (2 if name == "cv" else 1):
                raise ParameterError(f"SentimentModel({name}={value!r}): expected a whole number >= {2 if name == 'cv' else 1}")
        if not isinstance(self.min_z, (int, float)) or np.isnan(self.min_z):
            raise ParameterError(f"SentimentModel(min_z={self.min_z!r}): expected a number such as 1.645")
        if not isinstance(self.C, (int, float)) or not self.C > 0:
            raise ParameterError(f"SentimentModel(C={self.C!r}): expected a positive number")
        return validate_thresholds(self.thresholds)

    def _engine(self, sentences: bool, progress: bool | None = False, n_jobs: int | None | str = "model") -> ScoringEngine:
        return ScoringEngine(self.rules, self.lexicon, sentences, -0.5, self.n_jobs if n_jobs == "model" else n_jobs, progress)

    def _lexicon_features(self, texts: pd.Series, n_jobs: int | None | str = "model") -> pd.DataFrame:
        """VADER's whole-text scores of already checked texts (and their set-aside reasons)."""
        thresholds = validate_thresholds(self.thresholds)
        if n_jobs == 1:
            # one in-process scorer kept for the model's life (and shared by forked workers): its
            # per-word memo stays warm from chunk to chunk
            key = (repr(self.rules), repr(self.lexicon))
            cached = self.__dict__.get("_scorer_cache")
            if cached is None or cached[0] != key:
                cached = self.__dict__["_scorer_cache"] = (key, self._engine(sentences=False, n_jobs=1))
            return score_series(texts, cached[1], thresholds, None, total_warn=False)
        engine = self._engine(sentences=False, n_jobs=n_jobs)
        try:
            return score_series(texts, engine, thresholds, None, total_warn=False)
        finally:
            engine.close()

    def _extra_words(self) -> dict[str, float]:
        """The words and valences this model's ``rules`` and ``lexicon`` add to VADER's lexicon."""
        lexicon, _, _ = scorer_config(self.rules, self.lexicon)
        base = base_lexicon()
        return {w: v for w, v in lexicon.items() if base.get(w) != v}

    def _lexicon_labels(self, compound: np.ndarray, classes: tuple[str, ...]) -> np.ndarray:
        low, high = validate_thresholds(self.thresholds)
        if "neutral" not in classes:
            return np.where(compound >= high, "positive", "negative")
        return np.where(compound >= high, "positive", np.where(compound <= low, "negative", "neutral"))

    def fit(self, feedback: pd.DataFrame, y=None) -> SentimentModel:
        """Learn from the texts of ``feedback`` that carry a label, and measure model and lexicon on held-out folds.

        Parameters
        ----------
        feedback : DataFrame
            Texts in ``text_col``, labels in ``label_col`` (missing label: the text is not used).
        y : ignored

        Returns
        -------
        SentimentModel
            ``self``, fitted (or fallen back to the lexicon: see ``fallback_``).

        Raises
        ------
        DataValidationError
            No labelled text, labels all of one class, or label values the mapping does not know.
        """
        self._check_params()
        if not isinstance(feedback, pd.DataFrame):
            raise ParameterError(f"SentimentModel.fit expects a DataFrame with '{self.text_col}' and "
                                 f"'{self.label_col}' columns, not {type(feedback).__name__}")
        require_columns(feedback, [self.text_col], "feedback table", hint=TEXT_COL_HINT)
        require_columns(feedback, [self.label_col], "feedback table",
                        hint="pass label_col= the column that holds the labels (words, scores or ratings)")
        labels = sentiment_labels(feedback[self.label_col], scale=self.scale, label_map=self.label_map,
                                  cutoffs=self.cutoffs, column=self.label_col)
        labelled = labels.notna().to_numpy()
        self.n_unlabelled_ = int((~labelled).sum())
        prepared, reasons = check_texts(feedback[self.text_col][labelled], None)
        set_aside = Counter(r for r in reasons if r is not None)
        self.n_set_aside_ = sum(set_aside.values())
        if set_aside:
            warnings.warn(
                f"SentimentModel.fit: {self.n_set_aside_:,} of {len(reasons):,} labelled texts set aside and not learned "
                f"from ({', '.join(f'{c:,} {r}' for r, c in set_aside.most_common())})", JkitWarning, stacklevel=2)
        keep = np.array([r is None for r in reasons], dtype=bool)
        texts = [t for t in prepared if t is not None]
        y_all = labels[labelled][keep].to_numpy(dtype=object)
        self._check_classes(y_all)
        frame = self._lexicon_features(pd.Series(texts, dtype=object))[list(LEXICON_FEATURES)]
        frame.insert(0, "text", texts)
        frame = frame.reset_index(drop=True)
        self._cross_validate(*self._cv_sample(frame, y_all))
        self._decide_and_fit(frame, y_all)
        return self

    def _check_classes(self, y: np.ndarray) -> None:
        counts = Counter(y.tolist())
        if not counts:
            raise DataValidationError(
                f"SentimentModel.fit: no labelled text to learn from (column '{self.label_col}' is empty, or every "
                "labelled text was set aside)")
        if len(counts) < 2:
            (only, n), = counts.items()
            raise DataValidationError(
                f"SentimentModel.fit: all {n:,} labelled texts in column '{self.label_col}' are '{only}'; a model "
                "needs at least two classes of labels — use score_sentiment (the lexicon) instead")
        self.classes_ = tuple(c for c in LABELS if c in counts)
        self.label_counts_ = {c: int(counts[c]) for c in self.classes_}
        self.n_labelled_ = int(len(y))

    def _cv_sample(self, frame: pd.DataFrame, y: np.ndarray) -> tuple[pd.DataFrame, np.ndarray]:
        """The labelled texts cross-validated: all, or a stratified sample of ``max_cv_texts``."""
        if self.max_cv_texts is None or len(y) <= self.max_cv_texts:
            return frame, y
        from sklearn.model_selection import train_test_split

        keep, _ = train_test_split(np.arange(len(y)), train_size=self.max_cv_texts, stratify=y,
                                   random_state=self.random_state)
        keep = np.sort(keep)
        return frame.iloc[keep].reset_index(drop=True), y[keep]

    def _cross_validate(self, frame: pd.DataFrame, y: np.ndarray) -> None:
        from sklearn.model_selection import StratifiedKFold

        lexicon_pred = self._lexicon_labels(frame["compound"].to_numpy(), self.classes_)
        n_splits = min(self.cv, min(Counter(y.tolist()).values()))
        extra = self._extra_words()
        rows = []
        if n_splits >= 2:
            folds = StratifiedKFold(n_splits=n_splits, shuffle=True, random_state=self.random_state)
            for k, (train, test) in enumerate(folds.split(frame, y)):
                model = _fit(frame.iloc[train], y[train], self.C, self.random_state, extra)
                with one_blas_thread():
                    predicted = model.predict(frame.iloc[test][["text"]])
                right, lexicon_right = predicted == y[test], lexicon_pred[test] == y[test]
                rows.append({"fold": k + 1, "n": len(test), "model_correct": int(right.sum()),
                             "lexicon_correct": int(lexicon_right.sum()),
                             "model_only": int((right & ~lexicon_right).sum()),
                             "lexicon_only": int((lexicon_right & ~right).sum())})
        table = pd.DataFrame(rows, columns=["fold", "n", "model_correct", "lexicon_correct", "model_only", "lexicon_only"])
        b, c = int(table["model_only"].sum()), int(table["lexicon_only"].sum())
        self.cv_gain_z_ = (b - c) / np.sqrt(b + c) if b + c else float("nan")
        n = int(table["n"].sum())
        self.cv_accuracy_, self.cv_interval_ = _accuracy(int(table["model_correct"].sum()), n)
        self.lexicon_cv_accuracy_, self.lexicon_cv_interval_ = _accuracy(int(table["lexicon_correct"].sum()), n)
        if n == 0:  # too few to fold: the lexicon is still measured on every labelled text
            self.lexicon_cv_accuracy_, self.lexicon_cv_interval_ = _accuracy(int((lexicon_pred == y).sum()), len(y))
        with np.errstate(invalid="ignore", divide="ignore"):
            self.cv_folds_ = pd.DataFrame({
                "fold": table["fold"].astype("int64"), "n": table["n"].astype("int64"),
                "model_accuracy": table["model_correct"] / table["n"],
                "lexicon_accuracy": table["lexicon_correct"] / table["n"],
                "model_only": table["model_only"].astype("int64"), "lexicon_only": table["lexicon_only"].astype("int64")})

    def _decide_and_fit(self, frame: pd.DataFrame, y: np.ndarray) -> None:
        fewest = min(self.label_counts_, key=self.label_counts_.__getitem__)
        self.pipeline_ = None
        if self.label_counts_[fewest] < self.min_per_class:
            self.fallback_ = (f"too few labels to learn from: {self.label_counts_[fewest]:,} '{fewest}' texts "
                              f"(min_per_class={self.min_per_class}); predictions are the lexicon's")
        elif not (self.cv_accuracy_ > self.lexicon_cv_accuracy_ and self.cv_gain_z_ >= self.min_z):
            self.fallback_ = (f"the model is not better than the lexicon on held-out folds "
                              f"({self.cv_accuracy_:.3f} vs {self.lexicon_cv_accuracy_:.3f}, paired z = "
                              f"{self.cv_gain_z_:.2f} < min_z={self.min_z:g}); predictions are the lexicon's")
        else:
            self.fallback_ = None
            self.pipeline_ = _fit(frame, y, self.C, self.random_state, self._extra_words())
        if self.fallback_ is not None:
            warnings.warn(f"SentimentModel: {self.fallback_}", JkitWarning, stacklevel=3)

    # ------------------------------------------------------------------ predicting

    def _require_fitted(self) -> None:
        if not hasattr(self, "fallback_"):
            raise NotFittedError("this SentimentModel is not fitted yet: call fit(feedback) first (or SentimentModel.load(path))")

    def _score_distinct(self, values: list[Any], sentences: bool) -> tuple[np.ndarray, list[str | None]]:
        """:meth:`_score_values` of distinct values, in worker processes when there are many."""
        import multiprocessing as mp

        n_procs = workers.n_workers(self.n_jobs, len(values))
        if n_procs <= 1 or "fork" not in mp.get_all_start_methods():
            return self._score_values(values, sentences, n_jobs=1 if n_procs <= 1 else None)
        from concurrent.futures import ProcessPoolExecutor

        # fork: the workers share the fitted pipeline instead of unpickling it; each checks, scores and
        # splits whole chunks, so nothing but the de-duplication runs in this process alone
        size = max(1_000, min(_TASK_SIZE, len(values) // (n_procs * 4) + 1))
        chunks = [(values[s : s + size], sentences) for s in range(0, len(values), size)]
        self._score_values(["warm up"], False)  # the vocabularies' lookup tables, built once and inherited
        with ProcessPoolExecutor(max_workers=n_procs, mp_context=mp.get_context("fork"),
                                 initializer=_worker_init, initargs=(self,)) as pool:
            parts = list(pool.map(_worker_scores, chunks))
        return np.vstack([p[0] for p in parts]), [r for p in parts for r in p[1]]

    def _score_values(self, values: list[Any], sentences: bool, n_jobs: int | None = 1) -> tuple[np.ndarray, list[str | None]]:
        """``(neg, neu, pos, n_sentences, min_sentence)`` rows of raw values (NaN where set aside) and the reasons."""
        prepared, reasons = check_texts(pd.Series(values, dtype=object), None)
        ok = [i for i, t in enumerate(prepared) if t is not None]
        texts = [prepared[i] for i in ok]
        table = np.full((len(values), 5), np.nan)
        if texts:
            proba = self._probabilities_here(texts, n_jobs=n_jobs)
            table[ok] = np.column_stack([proba, *self._sentences(texts, proba, sentences, n_jobs)])
        return table, reasons

    def _probabilities_here(self, texts: list[str], n_jobs: int | None = 1) -> np.ndarray:
        """:meth:`_probabilities` in this process (VADER's scores with ``n_jobs`` processes, for old model files)."""
        frame = pd.DataFrame({"text": texts})
        if set(LEXICON_FEATURES) <= set(self.pipeline_.named_steps["features"].feature_names_in_):
            lexicon = self._lexicon_features(pd.Series(texts, dtype=object), n_jobs=n_jobs)
            frame = pd.concat([frame, lexicon[list(LEXICON_FEATURES)].reset_index(drop=True)], axis=1)
        with one_blas_thread():
            proba = self.pipeline_.predict_proba(frame)
        out = np.zeros((len(texts), 3))
        for j, label in enumerate(self.pipeline_.classes_):
            out[:, LABELS.index(label)] = proba[:, j]
        return out

    def predict(self, feedback: pd.DataFrame | pd.Series | list[str], *, sentences: bool = True) -> pd.DataFrame:
        """Score texts: the columns of :func:`~jkit.sentiment.score_sentiment`, from the model's probabilities.

        Parameters
        ----------
        feedback : DataFrame, Series or list of str
            Texts (a DataFrame's in ``text_col``); labels are not needed.
        sentences : bool, default True
            Also score each sentence of texts with several: gives ``n_sentences`` and ``min_sentence``.

        Returns
        -------
        DataFrame
            Same index, columns ``compound`` (``p(positive) − p(negative)``, −1 … 1), ``pos``, ``neu``,
            ``neg`` (class probabilities; ``neu`` is 0 for two-class labels), ``label`` (the most
            probable class), ``n_sentences``, ``min_sentence``, ``set_aside`` (as score_sentiment:
            texts that are empty, not text or not English are set aside, counted in a warning).
            After a fallback (``fallback_``), exactly the lexicon's scores.
        """
        self._require_fitted()
        if self.fallback_ is not None:
            engine = self._engine(sentences=sentences, progress=None)
            try:
                return score_series(texts_of(feedback, self.text_col), engine, validate_thresholds(self.thresholds), None)
            finally:
                engine.close()
        texts = texts_of(feedback, self.text_col)
        codes, distinct = distinct_values(texts)
        table, distinct_reasons = self._score_distinct(distinct, sentences) if distinct else (np.zeros((0, 5)), [])
        table = table[codes] if len(codes) else np.zeros((0, 5))
        reasons = [distinct_reasons[c] for c in codes.tolist()]
        ok = np.array([r is None for r in reasons], dtype=bool)
        best = np.argmax(np.where(np.isnan(table[:, :3]), -1, table[:, :3]), axis=1)
        label = np.where(ok, np.array(LABELS, dtype=object)[best], None)
        out = pd.DataFrame({
            "compound": table[:, 2] - table[:, 0], "pos": table[:, 2], "neu": table[:, 1], "neg": table[:, 0],
            "label": pd.array(label, dtype="string"),
            "n_sentences": pd.array(table[:, 3], dtype="Float64").astype("Int64"),
            "min_sentence": table[:, 4], "set_aside": pd.array(reasons, dtype="string"),
        }, index=texts.index)
        warn_set_aside(reasons, len(texts))
        return out

    def _sentences(self, texts: list[str], proba: np.ndarray, sentences: bool,
                   n_jobs: int | None = 1) -> tuple[np.ndarray, np.ndarray]:
        compound = proba[:, 2] - proba[:, 0]
        if not sentences:
            return np.ones(len(texts)), compound
        parts = [split_sentences(t) for t in texts]
        n_sent = np.array([max(len(p), 1) for p in parts], dtype="float64")
        worst = compound.copy()
        multi = [i for i, p in enumerate(parts) if len(p) > 1]
        if multi:
            pieces = list(dict.fromkeys(s for i in multi for s in parts[i]))
            piece_proba = self._probabilities_here(pieces, n_jobs=n_jobs)
            score = dict(zip(pieces, piece_proba[:, 2] - piece_proba[:, 0], strict=True))
            for i in multi:
                worst[i] = min(score[s] for s in parts[i])
        return n_sent, worst

    # ------------------------------------------------------------------ reporting and files

    def accuracy_table(self) -> pd.DataFrame:
        """Cross-validated accuracy of the lexicon and the model on the labelled texts, for a report.

        Returns
        -------
        DataFrame
            Rows ``lexicon`` and ``model``; columns ``accuracy``, ``low``, ``high`` (95 % Wilson),
            ``n`` (held-out texts), ``folds``, ``used`` (True for what predictions come from).
        """
        self._require_fitted()
        n = int(self.cv_folds_["n"].sum()) if len(self.cv_folds_) else self.n_labelled_
        return pd.DataFrame({
            "accuracy": [self.lexicon_cv_accuracy_, self.cv_accuracy_],
            "low": [self.lexicon_cv_interval_[0], self.cv_interval_[0]],
            "high": [self.lexicon_cv_interval_[1], self.cv_interval_[1]],
            "n": [n, int(self.cv_folds_["n"].sum()) if len(self.cv_folds_) else 0],
            "folds": [len(self.cv_folds_)] * 2,
            "used": [self.fallback_ is not None, self.fallback_ is None],
        }, index=pd.Index(["lexicon", "model"], name="scorer"))

    def save(self, path: str | Path) -> Path:
        """Write the fitted model to ``path`` (a zip of JSON and skops; nothing in it is pickled)."""
        from jkit.sentiment.model_store import save_model

        self._require_fitted()
        return save_model(self, path)

    @classmethod
    def load(cls, path: str | Path) -> SentimentModel:
        """Read a model written by :meth:`save`; a file that is not a jkit sentiment model is refused."""
        from jkit.sentiment.model_store import load_model

        return load_model(cls, path)
