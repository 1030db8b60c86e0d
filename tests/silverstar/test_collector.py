import gc
from collections.abc import Iterator

import pytest

from silverstar.bootstrap import settle_collector


@pytest.fixture
def collector_restored() -> Iterator[None]:
    thresholds = gc.get_threshold()
    yield
    gc.set_threshold(*thresholds)
    gc.unfreeze()


@pytest.mark.usefixtures("collector_restored")
def test_settling_freezes_what_is_loaded_and_collects_the_young_generation_less_often() -> None:
    loaded: list[list[int]] = [[] for _ in range(10)]
    older = gc.get_threshold()[1:]

    settle_collector(12_345)

    assert gc.get_freeze_count() >= len(loaded)
    assert gc.get_threshold() == (12_345, *older)
