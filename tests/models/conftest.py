from __future__ import annotations

import uuid
from collections.abc import AsyncIterator, Callable, Iterator
from typing import Any

import pytest

from syft_space.models.providers.base import ChatProvider
from syft_space.models.providers.http import RetryPolicy
from syft_space.models.runtime import ClientPool, ModelRuntime
from syft_space.models.service import ModelHandle
from syft_space.models.types import ProviderModelType
from tests.models.doubles import ProviderDouble

FAST_RETRY = RetryPolicy(base_delay=0.001, max_delay=0.01)
"""The real policy's shape (2 retries, jittered backoff), with delays too short to notice."""

MakeHandle = Callable[..., ModelHandle]


@pytest.fixture
def double() -> Iterator[ProviderDouble]:
    server = ProviderDouble().start()
    yield server
    server.stop()


@pytest.fixture
async def runtime() -> AsyncIterator[ModelRuntime]:
    built = ModelRuntime(pool=ClientPool(FAST_RETRY))
    yield built
    await built.close()


@pytest.fixture
def make_handle(runtime: ModelRuntime) -> MakeHandle:
    """A stored-model handle for a provider class and configuration, without a database."""

    def build(provider_class: type[ChatProvider[Any]], **config: Any) -> ModelHandle:
        mtype = ProviderModelType(provider_class)
        return ModelHandle(
            uuid.uuid4(), "m", mtype, mtype.config_model.model_validate(config), runtime
        )

    return build
