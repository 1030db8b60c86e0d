"""The serving process's heap once start-up's objects are loaded."""

import gc
from collections.abc import Iterator

import pytest

from silverstar.bootstrap import YOUNG_GENERATION_THRESHOLD, settle_heap


@pytest.fixture
def collector() -> Iterator[None]:
    thresholds = gc.get_threshold()
    yield
    gc.unfreeze()
    gc.set_threshold(*thresholds)


@pytest.mark.usefixtures("collector")
def test_settling_the_heap_freezes_what_is_loaded_and_collects_young_objects_less_often() -> None:
    gc.set_threshold(700, 10, 10)
    loaded: list[list[int]] = [[] for _ in range(10)]

    settle_heap()

    assert gc.get_freeze_count() >= len(loaded)
    assert gc.get_threshold() == (YOUNG_GENERATION_THRESHOLD, 10, 10)
