"""`silverstar audit verify|purge` against the (committed) test database."""

from collections.abc import Iterator

import pytest

from kernel.settings import get_settings
from silverstar.cli import main


@pytest.fixture
def cli_database(database_url: str, monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    monkeypatch.setenv("DATABASE_URL", database_url)
    get_settings.cache_clear()
    yield
    get_settings.cache_clear()


@pytest.mark.usefixtures("cli_database")
def test_audit_verify_reports_an_intact_trail_and_exits_0(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exit_:
        main(["audit", "verify"])

    assert exit_.value.code == 0
    assert "Audit trail intact" in capsys.readouterr().out


@pytest.mark.usefixtures("cli_database")
def test_audit_purge_keeps_what_the_retention_keeps(capsys: pytest.CaptureFixture[str]) -> None:
    main(["audit", "purge"])

    assert "Purged 0 audit events older than 2190 days." in capsys.readouterr().out
