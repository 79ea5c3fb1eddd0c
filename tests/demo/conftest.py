import pytest

from vigil.demo import World, generate_world


@pytest.fixture(scope="session")
def world() -> World:
    """The default demo world, generated once for the whole test session."""
    return generate_world()


@pytest.fixture(scope="session")
def small_world() -> World:
    return generate_world(seed=11, scale=0.25)
