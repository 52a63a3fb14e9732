"""tests/integrity plays the attacker: each test reproduces an attack on the count, the secret
ballot or the accounts, and shows it refused with nothing changed.

The fixtures are the web tests' own (app, client, areas, users, open_process, ...), so an attack
is staged exactly like the behaviour the web tests guard."""
from tests.web.conftest import *  # noqa: F401,F403
from tests.web.conftest import _clean_tables  # noqa: F401 (autouse: empties the tables after each test)
