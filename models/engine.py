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
import time
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path

import numpy as np

from models.errors import Cancelled, ModelError

# Subword tokens per chunk. Argos models are trained on sentences, so a longer input is split
# (CTranslate2 would silently truncate past the model's own limit, usually 1024).
DEFAULT_INPUT_LIMIT = 200
MAX_DECODING_LENGTH = 1024
# CTranslate2's default max_decoding_length, which argostranslate uses: no chunk gets less, so a
# sentence's text is exactly argostranslate's.
ARGOS_DECODING_LENGTH = 256
_DECODING_STEP = 128  # decoding limits are rounded up to this, so they depend on the chunk alone
_CLAUSE_ENDS = (",", ";", ":")
_IDENTITY_FILES = ("metadata.json", "model/config.json")  # read whole: small
_SIZED_FILES = (  # only their sizes: cheap, and the weights are far too big to hash on every start
    "model/model.bin",
    "model/shared_vocabulary.json",
    "model/shared_vocabulary.txt",
    "model/source_vocabulary.json",
    "model/source_vocabulary.txt",
    "model/target_vocabulary.json",
    "model/target_vocabulary.txt",
    "sentencepiece.model",
    "bpe.model",
)
# Each batch is sized to take about this long (seconds), from the speed measured on the batch
# before it; the first batch is small to measure it (and shows the first rows soon). Beam search
# on CPU needs batches of about 16 sentences to run at full speed (batches of 4 cost 1.6x the
# CPU, single sentences 4x), so a cancel does not wait for the batch: it polls it (see _call),
# and this budget only bounds the work a cancelled batch still finishes in the background.
BATCH_SECONDS = 3.0
FIRST_BATCH_TOKENS = 48  # source tokens of the first batch, before any speed is known
# Fewest source tokens of a later batch (about 16 sentences): a busy machine slows batches, and
# smaller ones would then cost more CPU per sentence just when the CPU is scarce.
MIN_BATCH_TOKENS = 512
_POLL_SECONDS = 0.02  # how often a running batch checks for a cancel
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
    # seconds a batch should take (cancel waits for the batch under way); None: max_batch_size only
    batch_seconds: float | None = BATCH_SECONDS
    # a chunk of n tokens may produce ratio * n + extra tokens, rounded up and never fewer than
    # argostranslate's 256 (see decoding_limit)
    max_decoding_ratio: float = 2.0
    max_decoding_extra: int = 10
    max_input_length: int = DEFAULT_INPUT_LIMIT  # longer inputs are chunked, never truncated
    intra_threads: int = 0  # 0: as many as cores, at most 4
    inter_threads: int = 1
    compute_type: str = "auto"

    def digest(self) -> str:
        """Short hash of the output-affecting fields (threads and batch size change only speed)."""
        fields = asdict(self)
        for speed_only in ("max_batch_size", "batch_seconds", "intra_threads", "inter_threads"):
            fields.pop(speed_only)
        raw = json.dumps(fields, sort_keys=True).encode()
        return hashlib.sha256(raw).hexdigest()[:12]


class BlockAttention:
    """The attention of a sentence translated in chunks: one dense float16 block per chunk.

    Chunks are translated independently, so everything outside the blocks is zero; keeping only
    the blocks makes a long input cost memory (and library space) linear in its length, where the
    dense matrix grows with its square (a 200 KB line: 835 MB). ``toarray()`` (and ``np.asarray``)
    builds the dense matrix, for short sentences only.
    """

    ndim = 2
    dtype = np.dtype(np.float16)

    def __init__(self, shape: tuple[int, int], blocks: Sequence[tuple[int, int, np.ndarray]]) -> None:
        rows, cols = (int(shape[0]), int(shape[1]))
        checked: list[tuple[int, int, np.ndarray]] = []
        for row, col, block in blocks:
            block = np.asarray(block, dtype=np.float16)
            if (
                block.ndim != 2
                or row < 0
                or col < 0
                or row + block.shape[0] > rows
                or col + block.shape[1] > cols
            ):
                raise ValueError(f"an attention block at ({row}, {col}) does not fit in {rows} x {cols}")
            checked.append((int(row), int(col), block))
        self.shape = (rows, cols)
        self.blocks = checked

    @property
    def size(self) -> int:
        """Cells actually stored (not rows x columns)."""
        return sum(block.size for _, _, block in self.blocks)

    def toarray(self) -> np.ndarray:
        dense = np.zeros(self.shape, dtype=np.float16)
        for row, col, block in self.blocks:
            dense[row : row + block.shape[0], col : col + block.shape[1]] = block
        return dense

    def __array__(self, dtype=None, copy=None) -> np.ndarray:
        dense = self.toarray()
        return dense if dtype is None else dense.astype(dtype)

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, BlockAttention):
            return NotImplemented
        return self.shape == other.shape and len(self.blocks) == len(other.blocks) and all(
            (r1, c1) == (r2, c2) and np.array_equal(b1, b2)
            for (r1, c1, b1), (r2, c2, b2) in zip(self.blocks, other.blocks, strict=True)
        )

    __hash__ = None  # type: ignore[assignment]

    def __repr__(self) -> str:
        return f"BlockAttention(shape={self.shape}, blocks={len(self.blocks)})"


Attention = np.ndarray | BlockAttention


def same_attention(a: Attention | None, b: Attention | None) -> bool:
    """Equal attention, whichever way each is stored (dense or in blocks)."""
    if a is None or b is None:
        return a is None and b is None
    if isinstance(a, BlockAttention) and isinstance(b, BlockAttention):
        return a == b
    return a.shape == b.shape and np.array_equal(np.asarray(a), np.asarray(b))


@dataclass(eq=False)
class TranslationResult:
    """One sentence's translation with what the reader needs to align and explain it.

    ``attention`` has shape ``(len(target_tokens), len(source_tokens))``: a float16 array, or, for
    a sentence split into chunks, a ``BlockAttention`` (block-diagonal, stored by blocks); None
    when it could not be computed.
    """

    source: str
    target: str
    source_tokens: list[str]
    target_tokens: list[str]
    attention: Attention | None
    score: float
    alternatives: list[tuple[str, float]] = field(default_factory=list)

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, TranslationResult):
            return NotImplemented
        return same_attention(self.attention, other.attention) and (
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
        self._tokens_per_second: float | None = None  # measured on the batches translated so far

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
                    self._loaded = _load_translator(self.model_dir, self.settings, self._name())
        return self._loaded

    def check(self, sample: str = "Hallo.") -> TranslationResult:
        """Load the model and tokenizer and translate ``sample``: a package that cannot do this
        raises ``ModelError`` here (an installer calls it before replacing a working package)."""
        result = self.translate([sample])[0]
        if not result.target.strip():
            raise ModelError(
                f"The translation package {self._name()} translated “{sample}” to nothing: {_REINSTALL}"
            )
        return result

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
        done = 0

        def stop_if_cancelled() -> None:
            if cancelled is not None and cancelled():
                raise Cancelled(
                    f"Translation cancelled after {done} of {total} sentences; the finished ones are kept."
                )

        position = 0
        while position < len(jobs) or ready:
            stop_if_cancelled()
            batch = self._next_batch(jobs, position)
            position += len(batch)
            finished = ready + self._translate_jobs(batch, stop_if_cancelled)
            ready = []
            for i, result in finished:
                results[i] = result
            done += len(finished)
            if on_batch is not None:
                on_batch(finished)
            if progress is not None:
                progress(done, total)
        return results  # type: ignore[return-value]

    def _token_budget(self) -> float:
        """Source tokens per batch so that a batch takes about ``batch_seconds``."""
        seconds = self.settings.batch_seconds
        if seconds is None:
            return math.inf
        if self._tokens_per_second is None:
            return FIRST_BATCH_TOKENS
        return max(MIN_BATCH_TOKENS, self._tokens_per_second * seconds)

    def _observe(self, tokens: int, seconds: float) -> None:
        """Keep the last batch's speed: bigger batches run faster per token, so the batch size
        grows towards the budget from a small first batch instead of lagging behind a mean."""
        if tokens > 0 and seconds > 0:
            self._tokens_per_second = tokens / seconds

    def _next_batch(self, jobs: list[_Job], start: int) -> list[_Job]:
        """Consecutive jobs from ``start`` within the time budget and ``max_batch_size`` chunks
        (at least one job; a long job's chunks are split further in ``_translate_jobs``)."""
        budget = self._token_budget()
        batch: list[_Job] = []
        tokens = chunks = 0
        for job in jobs[start:]:
            if batch and (
                tokens + len(job.tokens) > budget or chunks + len(job.chunks) > self.settings.max_batch_size
            ):
                break
            batch.append(job)
            tokens += len(job.tokens)
            chunks += len(job.chunks)
        return batch

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
        return list(self._tokenizer_call(self.tokenizer.encode, text))

    def _name(self) -> str:
        """The package as a user knows it: "translate-nl_en 1.8 (in /path)"."""
        package = self.package
        code = getattr(package, "code", None) or f"translate-{package.from_code}_{package.to_code}"
        return f"{code} {getattr(package, 'package_version', '')}".strip() + f" (in {package.package_path})"

    def _tokenizer_call(self, method, *args):
        """A damaged sentencepiece.model fails on first use with a raw RuntimeError ("could not
        parse ModelProto"): say which package and what to do instead."""
        try:
            return method(*args)
        except Exception as err:  # noqa: BLE001 - sentencepiece raises RuntimeError, OSError, ...
            raise ModelError(
                f"The tokenizer of the translation package {self._name()} could not be read ({err}): "
                f"{_REINSTALL}"
            ) from err

    def _encode_target(self, text: str) -> list[str]:
        """Target text as the model's target pieces (Argos packages share one tokenizer)."""
        return self._encode(text)

    def _prefix_tokens(self) -> list[str]:
        return [self.target_prefix] if self.target_prefix else []

    def _call(self, method, *args, stop: Callable[[], None] | None = None, **kwargs):
        """Run a CTranslate2 call; with ``stop``, asynchronously, calling ``stop()`` (which raises
        ``Cancelled``) every few milliseconds until it is done. A cancelled batch finishes in
        CTranslate2's own worker and its result is dropped: the caller returns at once."""
        try:
            if stop is None:
                return method(*args, **kwargs)
            pending = method(*args, asynchronous=True, **kwargs)
            for item in pending:
                while not item.done():
                    stop()
                    time.sleep(_POLL_SECONDS)
            return [item.result() for item in pending]
        except (RuntimeError, ValueError) as err:
            raise ModelError(
                f"The translation model of the package {self._name()} failed ({err}): {_REINSTALL}"
            ) from err

    def _translate_jobs(
        self, jobs: list[_Job], stop_if_cancelled: Callable[[], None] | None = None
    ) -> list[tuple[int, TranslationResult]]:
        """Decode the jobs' chunks in groups within the time budget; a long input (hundreds of
        chunks) is thus cancellable between groups, and never holds more than one group's output
        beyond its finished blocks."""
        if not jobs:
            return []
        chunks = [chunk for job in jobs for chunk in job.chunks]
        _ = self._translator  # load the model first, so loading never counts as decoding time
        skip = len(self._prefix_tokens())
        outputs: list = []
        first_rows: list = []
        for group in _chunk_groups(chunks, self._token_budget(), self.settings.max_batch_size):
            if stop_if_cancelled is not None:
                stop_if_cancelled()
            started = time.perf_counter()
            decoded = self._decode_chunks(group, stop_if_cancelled)
            outputs += [_Output(out, len(c), skip) for out, c in zip(decoded, group, strict=True)]
            if self._first_rows_unreliable(group):
                first_rows += self._first_step_attention(group)
            else:
                first_rows += [None] * len(group)
            self._observe(sum(len(c) for c in group), time.perf_counter() - started)
        finished = []
        position = 0
        for job in jobs:
            end = position + len(job.chunks)
            finished.append((job.index, self._assemble(job, outputs[position:end], first_rows[position:end])))
            position = end
        return finished

    def _decode_chunks(self, chunks: list[list[str]], stop: Callable[[], None] | None = None) -> list:
        """Beam search over ``chunks``, one call per decoding limit (nearly always a single one).

        The limit comes from each chunk's own length, never from its batch mates, so a sentence
        gets the same output (and cache row) whatever it was translated with.
        """
        prefix_length = len(self._prefix_tokens())
        groups: dict[int, list[int]] = {}
        for k, chunk in enumerate(chunks):
            groups.setdefault(decoding_limit(len(chunk), self.settings, prefix_length), []).append(k)
        outputs: list = [None] * len(chunks)
        for limit, members in groups.items():
            decoded = self._beam_search([chunks[k] for k in members], limit, stop)
            for k, out in zip(members, decoded, strict=True):
                outputs[k] = out
        return outputs

    def _beam_search(
        self, chunks: list[list[str]], max_decoding_length: int, stop: Callable[[], None] | None = None
    ) -> list:
        s = self.settings
        prefix = self._prefix_tokens()
        return self._call(
            self._translator.translate_batch,
            chunks,
            stop=stop,
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
            max_decoding_length=max_decoding_length,
        )

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
        """Join a sentence's chunk outputs: tokens and scores add up; attention is one dense
        matrix for a single chunk, else one block per chunk (``BlockAttention``)."""
        hypotheses: list[tuple[list[str], float]] = []
        for h in range(min(len(p.hypotheses) for p in parts)):
            tokens = [t for p in parts for t in p.hypotheses[h]]
            hypotheses.append((tokens, float(sum(p.scores[h] for p in parts))))
        best_tokens, best_score = hypotheses[0]
        blocks: list[tuple[int, int, np.ndarray]] = []
        row = col = 0
        for k, (chunk, part) in enumerate(zip(job.chunks, parts, strict=True)):
            block = part.attention
            if len(block) and first_rows is not None and first_rows[k] is not None:
                block[0] = np.asarray(first_rows[k][: len(chunk)], dtype=np.float32)
            if len(block):
                blocks.append((row, col, block.astype(np.float16)))
            row += len(block)
            col += len(chunk)
        shape = (len(best_tokens), len(job.tokens))
        attention: Attention
        if len(job.chunks) == 1:
            attention = blocks[0][2] if blocks else np.zeros(shape, dtype=np.float16)
        else:
            attention = BlockAttention(shape, blocks)
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
        value = self._tokenizer_call(self.tokenizer.decode, tokens)
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
    """The cache key ``Engine(package, settings).model_key`` would have, without loading the model.

    ``from-to@version:identity#settings``: the identity (see ``package_identity``) keeps two
    packages for the same pair and version from sharing cached translations.
    """
    settings = settings or DecodeSettings()
    return (
        f"{package.from_code}-{package.to_code}@{package.package_version}:"
        f"{package_identity(package)}#{settings.digest()}"
    )


def package_identity(package) -> str:
    """The package's name and a short fingerprint of its metadata, model config and file sizes.

    Content, not the folder: reinstalling the same file keeps the cache, while another build of
    the pair (retrained, requantised, other vocabulary) gets its own rows. The weights are only
    measured, never hashed: hashing 100 MB on every start would cost seconds.
    """
    root = Path(package.package_path)
    digest = hashlib.sha256()
    for name in _IDENTITY_FILES:
        digest.update(f"{name}\0".encode() + _read_or_empty(root / name) + b"\0")
    for name in _SIZED_FILES:
        digest.update(f"{name}={_size_or_none(root / name)}\n".encode())
    name = getattr(package, "code", None) or f"{package.type}-{package.from_code}_{package.to_code}"
    return f"{name}~{digest.hexdigest()[:10]}"


def _read_or_empty(path: Path) -> bytes:
    try:
        return path.read_bytes()
    except OSError:
        return b""


def _size_or_none(path: Path) -> int | None:
    try:
        return path.stat().st_size
    except OSError:
        return None


def decoding_limit(chunk_length: int, settings: DecodeSettings, prefix_length: int = 0) -> int:
    """``max_decoding_length`` for a chunk: a function of its own length only.

    At least argostranslate's 256 (so the text is the same as Argos gives), else the chunk's
    budget (``ratio * n + extra``, plus any target prefix) rounded up to a multiple of 128 so that
    similar chunks share a call; at most 1024 output tokens.
    """
    budget = math.ceil(settings.max_decoding_ratio * chunk_length) + settings.max_decoding_extra
    bucket = -(-budget // _DECODING_STEP) * _DECODING_STEP
    return max(ARGOS_DECODING_LENGTH, min(bucket, MAX_DECODING_LENGTH) + prefix_length)


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
    """Split a too-long input into chunks of at most ``limit`` tokens.

    Models are trained on sentences, so a chunk should read like one: it ends after the last
    comma, semicolon or colon in the second half of the window, else before the last word start
    there, else (one endless word) at the limit.
    """
    chunks = []
    start = 0
    sentencepiece = any("▁" in t for t in tokens)
    while len(tokens) - start > limit:
        cut = _cut_point(tokens, start, start + limit, sentencepiece)
        chunks.append(tokens[start:cut])
        start = cut
    chunks.append(tokens[start:])
    return chunks


def _cut_point(tokens: list[str], start: int, end: int, sentencepiece: bool) -> int:
    """Where the chunk starting at ``start`` ends (exclusive), at most at ``end``."""
    window = range(end, start + (end - start) // 2, -1)
    starts = [i for i in window if _word_start(tokens, i, sentencepiece)]
    after_clause = [i for i in starts if tokens[i - 1].endswith(_CLAUSE_ENDS)]
    return (after_clause or starts or [end])[0]


def _word_start(tokens: list[str], i: int, sentencepiece: bool) -> bool:
    """SentencePiece marks word starts with ▁; BPE marks continued words with a trailing @@."""
    if sentencepiece:
        return tokens[i].startswith("▁")
    return not tokens[i - 1].endswith("@@")


class _Output:
    """What ``_assemble`` keeps of a chunk's CTranslate2 result: the hypotheses without the target
    prefix, their scores and the best one's attention rows (the prefix's rows dropped)."""

    __slots__ = ("attention", "hypotheses", "scores")

    def __init__(self, out, chunk_length: int, skip: int = 0) -> None:
        self.hypotheses = [list(h[skip:]) for h in out.hypotheses]
        self.scores = list(out.scores)
        rows = [row[:chunk_length] for row in out.attention[0][skip:]] if out.attention else []
        self.attention = np.asarray(rows, dtype=np.float32).reshape(len(rows), chunk_length)


def _chunk_groups(chunks: list[list[str]], budget: float, max_examples: int) -> list[list[list[str]]]:
    """Consecutive chunks with at most ``budget`` tokens and ``max_examples`` chunks per group."""
    groups: list[list[list[str]]] = []
    current: list[list[str]] = []
    tokens = 0
    for chunk in chunks:
        if current and (tokens + len(chunk) > budget or len(current) >= max_examples):
            groups.append(current)
            current, tokens = [], 0
        current.append(chunk)
        tokens += len(chunk)
    if current:
        groups.append(current)
    return groups


def _empty_result(source: str) -> TranslationResult:
    return TranslationResult(source, "", [], [], np.zeros((0, 0), dtype=np.float16), 0.0, [])


def _load_translator(model_dir: Path, settings: DecodeSettings, name: str):
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
            f"Could not load the translation model of the package {name} ({err}): {_REINSTALL}"
        ) from err
