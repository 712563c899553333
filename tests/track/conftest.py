from tests.manifest.conftest import flow as flow  # noqa: F401 - the small city, as fixtures
from tests.manifest.conftest import world as world  # noqa: F401
