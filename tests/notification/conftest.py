from tests.manifest.conftest import flow, world  # noqa: F401 - reuse the small city
