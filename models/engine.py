"""Translate sentences with an installed Argos package, keeping the CTranslate2 model warm.

Compared with ``argostranslate.translate`` (one small token batch per call, about a sentence), the
engine sorts a whole document's sentences by length and sends example batches, which is several
times faster on CPU, and it keeps what the reader needs beyond the text: subword tokens, the
decoder's attention (for word alignment), scores and n-best alternatives. Decoding matches
argostranslate's, so the text is the same as Argos would give for each sentence.
"""

from __future__ import annotations

import copy
import dataclasses
import hashlib
import json
import math
import os
import threading
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path

import numpy as np

from reader.errors import Cancelled, ModelError

DEFAULT_INPUT_LIMIT = 1024  # CTranslate2 silently truncates longer inputs
MAX_DECODING_LENGTH = 1024
_INPUT_LIMIT_KEYS = ("max_input_length", "max_source_positions", "max_position_embeddings")
_REINSTALL = (
    "reinstall it with `bireader models install FILE.argosmodel` or `bireader models download nl en`."
)

Progress = Callable[[int, int], None]
OnBatch = Callable[[list[tuple[int, "TranslationResult"]]], None]


@dataclass(frozen=True)
class DecodeSettings:
    """How sentences are decoded; every field that changes the output goes into the model key."""

    beam_size: int = 4
    num_hypotheses: int = 1
    length_penalty: float = 0.2
    replace_unknowns: bool = True
    max_batch_size: int = 64  # examples (chunks) per translate_batch call
    max_decoding_ratio: float = 2.0  # output tokens allowed per input token, plus the slack below
    max_decoding_extra: int = 10
    max_input_length: int = DEFAULT_INPUT_LIMIT  # longer inputs are chunked, never truncated
    intra_threads: int = 0  # 0: as many as cores, at most 4
    inter_threads: int = 1
    compute_type: str = "auto"

    def digest(self) -> str:
        """Short hash of the output-affecting fields (threads and batch size change only speed)."""
        fields = asdict(self)
        for speed_only in ("max_batch_size", "intra_threads", "inter_threads"):
            fields.pop(speed_only)
        raw = json.dumps(fields, sort_keys=True).encode()
        return hashlib.sha256(raw).hexdigest()[:12]


@dataclass(eq=False)
class TranslationResult:
    """One sentence's translation with what the reader needs to align and explain it.

    ``attention`` is float16 of shape ``(len(target_tokens), len(source_tokens))``; for a sentence
    split into chunks it is block-diagonal; None when it could not be computed.
    """

    source: str
    target: str
    source_tokens: list[str]
    target_tokens: list[str]
    attention: np.ndarray | None
    score: float
    alternatives: list[tuple[str, float]] = field(default_factory=list)

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, TranslationResult):
            return NotImplemented
        same_attention = (self.attention is None and other.attention is None) or (
            self.attention is not None
            and other.attention is not None
            and np.array_equal(self.attention, other.attention)
        )
        return same_attention and (
            self.source,
            self.target,
            list(self.source_tokens),
            list(self.target_tokens),
            self.score,
            [tuple(a) for a in self.alternatives],
        ) == (
            other.source,
            other.target,
            list(other.source_tokens),
            list(other.target_tokens),
            other.score,
            [tuple(a) for a in other.alternatives],
        )


@dataclass
class _Job:
    index: int
    source: str
    tokens: list[str]
    chunks: list[list[str]]


class Engine:
    """One loaded translation model; create it once and reuse it (loading takes a while)."""

    def __init__(self, package, settings: DecodeSettings | None = None) -> None:
        settings = settings or DecodeSettings()
        self.package = package
        self.settings = settings
        self.model_dir = Path(package.package_path) / "model"
        self.tokenizer = getattr(package, "tokenizer", None)
        if self.tokenizer is None:
            raise ModelError(f"The package in {package.package_path} has no tokenizer: {_REINSTALL}")
        self.target_prefix: str = getattr(package, "target_prefix", "") or ""
        self.input_limit = input_limit(self.model_dir, settings.max_input_length)
        self._loaded = None
        self._load_lock = threading.Lock()
        self.model_key = model_key_for(package, settings)

    def variant(self, **changes) -> Engine:
        """The same model with other decoding settings (e.g. an n-best list), sharing the loaded
        translator instead of loading a second copy of the weights."""
        other = copy.copy(self)
        other.settings = dataclasses.replace(self.settings, **changes)
        other.model_key = model_key_for(self.package, other.settings)
        other._loaded = self._translator
        return other

    @property
    def loaded(self) -> bool:
        """Whether the model is in memory: a document served from the cache never loads it."""
        return self._loaded is not None

    @property
    def _translator(self):
        """The CTranslate2 translator, loaded on first use and then kept warm."""
        if self._loaded is None:
            with self._load_lock:
                if self._loaded is None:
                    self._loaded = _load_translator(self.model_dir, self.settings)
        return self._loaded

    @classmethod
    def for_pair(
        cls, from_code: str = "nl", to_code: str = "en", settings: DecodeSettings | None = None
    ) -> Engine:
        from models import packages

        return cls(packages.find_package(from_code, to_code), settings)

    def translate(
        self,
        sentences: Sequence[str],
        *,
        progress: Progress | None = None,
        cancelled: Callable[[], bool] | None = None,
        on_batch: OnBatch | None = None,
    ) -> list[TranslationResult]:
        """Translate ``sentences`` (results in input order), batch by batch.

        After each batch: ``on_batch([(input index, result), ...])`` then ``progress(done, total)``.
        ``cancelled()`` is checked before each batch; True raises ``Cancelled`` and keeps nothing
        beyond the batches already reported.
        """
        total = len(sentences)
        results: list[TranslationResult | None] = [None] * total
        jobs: list[_Job] = []
        ready: list[tuple[int, TranslationResult]] = []
        for i, sentence in enumerate(sentences):
            tokens = self._encode(sentence)
            if tokens:
                jobs.append(_Job(i, sentence, tokens, chunk_tokens(tokens, self.input_limit)))
            else:
                ready.append((i, _empty_result(sentence)))
        jobs.sort(key=lambda job: len(job.tokens))
        batches = _batches(jobs, self.settings.max_batch_size)
        if not batches and ready:
            batches = [[]]
        done = 0
        for batch in batches:
            if cancelled is not None and cancelled():
                raise Cancelled(
                    f"Translation cancelled after {done} of {total} sentences; the finished ones are kept."
                )
            finished = ready + self._translate_jobs(batch)
            ready = []
            for i, result in finished:
                results[i] = result
            done += len(finished)
            if on_batch is not None:
                on_batch(finished)
            if progress is not None:
                progress(done, total)
        return results  # type: ignore[return-value]

    def force(self, source: str, target: str) -> TranslationResult:
        """Forced decoding: the attention (and score) the model gives to a user-written target.

        A source longer than the model's input limit cannot be forced in one piece: the result
        then has no attention (the aligner falls back to other evidence).
        """
        src = self._encode(source)
        tgt = self._encode_target(target)
        if not src or not tgt:
            attention = np.zeros((len(tgt), len(src)), dtype=np.float16)
            return TranslationResult(source, target, src, tgt, attention, 0.0, [])
        if len(src) > self.input_limit:
            return TranslationResult(source, target, src, tgt, None, 0.0, [])
        prefix = self._prefix_tokens() + tgt
        out = self._call(
            self._translator.translate_batch,
            [src],
            target_prefix=[prefix],
            beam_size=1,
            return_attention=True,
            max_input_length=self.input_limit,
            max_decoding_length=len(prefix),
        )[0]
        skip = len(self._prefix_tokens())
        rows = [row[: len(src)] for row in out.attention[0][skip:]]
        attention = np.asarray(rows, dtype=np.float16).reshape(len(rows), len(src))
        return TranslationResult(source, target, src, tgt, attention, self._forced_score(src, prefix), [])

    # --- internals -------------------------------------------------------------------------------

    def _encode(self, text: str) -> list[str]:
        if not text or not text.strip():
            return []
        return list(self.tokenizer.encode(text))

    def _encode_target(self, text: str) -> list[str]:
        """Target text as the model's target pieces (Argos packages share one tokenizer)."""
        return self._encode(text)

    def _prefix_tokens(self) -> list[str]:
        return [self.target_prefix] if self.target_prefix else []

    def _decoding_limit(self, longest_input: int) -> int:
        s = self.settings
        budget = math.ceil(s.max_decoding_ratio * longest_input) + s.max_decoding_extra
        return min(budget, MAX_DECODING_LENGTH) + len(self._prefix_tokens())

    def _call(self, method, *args, **kwargs):
        try:
            return method(*args, **kwargs)
        except (RuntimeError, ValueError) as err:
            raise ModelError(
                f"The translation model in {self.model_dir} failed ({err}): {_REINSTALL}"
            ) from err

    def _translate_jobs(self, jobs: list[_Job]) -> list[tuple[int, TranslationResult]]:
        if not jobs:
            return []
        s = self.settings
        chunks = [chunk for job in jobs for chunk in job.chunks]
        prefix = self._prefix_tokens()
        outputs = self._call(
            self._translator.translate_batch,
            chunks,
            target_prefix=[prefix] * len(chunks) if prefix else None,
            max_batch_size=s.max_batch_size,
            batch_type="examples",
            beam_size=max(s.beam_size, s.num_hypotheses),
            num_hypotheses=s.num_hypotheses,
            length_penalty=s.length_penalty,
            replace_unknowns=s.replace_unknowns,
            return_scores=True,
            return_attention=True,
            max_input_length=self.input_limit,
            max_decoding_length=self._decoding_limit(max(len(c) for c in chunks)),
        )
        first_rows = self._first_step_attention(chunks) if self._first_rows_unreliable(chunks) else None
        finished = []
        position = 0
        for job in jobs:
            end = position + len(job.chunks)
            rows = first_rows[position:end] if first_rows is not None else None
            finished.append((job.index, self._assemble(job, outputs[position:end], rows)))
            position = end
        return finished

    def _first_rows_unreliable(self, chunks: list[list[str]]) -> bool:
        """CTranslate2 4.x beam search returns, in a batch, another example's first-step attention.

        Only the first generated token's row is affected (a target prefix absorbs it), and greedy
        search is not: ``_first_step_attention`` recomputes that row.
        """
        beam = max(self.settings.beam_size, self.settings.num_hypotheses)
        return len(chunks) > 1 and beam > 1 and not self.target_prefix

    def _first_step_attention(self, chunks: list[list[str]]) -> list[list[float] | None]:
        """The attention of the first decoding step, by one greedy step (it does not depend on
        the hypothesis: every beam starts from the same start token)."""
        outputs = self._call(
            self._translator.translate_batch,
            chunks,
            max_batch_size=self.settings.max_batch_size,
            batch_type="examples",
            beam_size=1,
            return_attention=True,
            max_input_length=self.input_limit,
            max_decoding_length=1,
        )
        return [out.attention[0][0] if out.attention[0] else None for out in outputs]

    def _assemble(self, job: _Job, parts: list, first_rows: list | None = None) -> TranslationResult:
        """Join a sentence's chunk outputs: tokens and scores add up, attention goes block-diagonal."""
        skip = len(self._prefix_tokens())
        hypotheses: list[tuple[list[str], float]] = []
        for h in range(min(len(p.hypotheses) for p in parts)):
            tokens = [t for p in parts for t in p.hypotheses[h][skip:]]
            hypotheses.append((tokens, float(sum(p.scores[h] for p in parts))))
        best_tokens, best_score = hypotheses[0]
        attention = np.zeros((len(best_tokens), len(job.tokens)), dtype=np.float16)
        row = col = 0
        for k, (chunk, part) in enumerate(zip(job.chunks, parts, strict=True)):
            vectors = list(part.attention[0][skip:])
            if vectors and first_rows is not None and first_rows[k] is not None:
                vectors[0] = first_rows[k]
            if vectors:
                block = np.asarray([v[: len(chunk)] for v in vectors], dtype=np.float32)
                attention[row : row + len(vectors), col : col + len(chunk)] = block
            row += len(vectors)
            col += len(chunk)
        target = self._decode(best_tokens)
        alternatives = []
        seen = {target}
        for tokens, score in hypotheses[1:]:
            text = self._decode(tokens)
            if text not in seen:
                seen.add(text)
                alternatives.append((text, score))
        return TranslationResult(
            job.source, target, job.tokens, best_tokens, attention, best_score, alternatives
        )

    def _decode(self, tokens: list[str]) -> str:
        """argostranslate's detokenisation: decode, drop the target prefix and one leading space."""
        if not tokens:
            return ""
        value = self.tokenizer.decode(tokens)
        if self.target_prefix and value.startswith(self.target_prefix):
            value = value[len(self.target_prefix) :]
        if value.startswith(" "):
            value = value[1:]
        return value

    def _forced_score(self, src: list[str], target: list[str]) -> float:
        """Length-normalised log-probability of the forced target, as beam search would score it."""
        scored = self._call(self._translator.score_batch, [src], [target], max_input_length=self.input_limit)
        log_probs = scored[0].log_probs
        if not log_probs:
            return 0.0
        return float(sum(log_probs) / len(log_probs) ** self.settings.length_penalty)


def model_key_for(package, settings: DecodeSettings | None = None) -> str:
    """The cache key ``Engine(package, settings).model_key`` would have, without loading the model."""
    settings = settings or DecodeSettings()
    return f"{package.from_code}-{package.to_code}@{package.package_version}#{settings.digest()}"


def input_limit(model_dir: Path, setting: int) -> int:
    """Tokens per chunk: the setting, lowered to the model's own limit and source specials."""
    try:
        config = json.loads((model_dir / "config.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        config = {}
    limit = setting
    for key in _INPUT_LIMIT_KEYS:
        value = config.get(key)
        if isinstance(value, int) and value > 0:
            limit = min(limit, value)
    limit -= int(bool(config.get("add_source_bos"))) + int(bool(config.get("add_source_eos")))
    if limit < 1:
        raise ModelError(
            f"The input limit {setting} is too small for the model in {model_dir}: use at least 3."
        )
    return limit


def chunk_tokens(tokens: list[str], limit: int) -> list[list[str]]:
    """Split a too-long input into chunks of at most ``limit`` tokens, at word starts if possible."""
    chunks = []
    start = 0
    while len(tokens) - start > limit:
        end = start + limit
        cut = next((i for i in range(end, start + limit // 2, -1) if _word_start(tokens, i)), end)
        chunks.append(tokens[start:cut])
        start = cut
    chunks.append(tokens[start:])
    return chunks


def _word_start(tokens: list[str], i: int) -> bool:
    """SentencePiece marks word starts with ▁; BPE marks continued words with a trailing @@."""
    if tokens[i].startswith("▁"):
        return True
    return "▁" not in tokens[i] + tokens[i - 1] and not tokens[i - 1].endswith("@@")


def _batches(jobs: list[_Job], max_examples: int) -> list[list[_Job]]:
    """Consecutive jobs with at most ``max_examples`` chunks per batch (a longer job goes alone)."""
    batches: list[list[_Job]] = []
    current: list[_Job] = []
    size = 0
    for job in jobs:
        if current and size + len(job.chunks) > max_examples:
            batches.append(current)
            current, size = [], 0
        current.append(job)
        size += len(job.chunks)
    if current:
        batches.append(current)
    return batches


def _empty_result(source: str) -> TranslationResult:
    return TranslationResult(source, "", [], [], np.zeros((0, 0), dtype=np.float16), 0.0, [])


def _load_translator(model_dir: Path, settings: DecodeSettings):
    import ctranslate2

    intra = settings.intra_threads or min(4, os.cpu_count() or 1)
    try:
        return ctranslate2.Translator(
            str(model_dir),
            device="cpu",
            compute_type=settings.compute_type,
            intra_threads=intra,
            inter_threads=settings.inter_threads,
        )
    except Exception as err:  # a damaged model.bin surfaces as IndexError, RuntimeError, ...
        raise ModelError(
            f"Could not load the translation model in {model_dir} ({err}): {_REINSTALL}"
        ) from err
