"""Base-map data of the planner: the bundled boundaries and the synthetic demo road network.

In the repository this is the ``maps/`` folder; pyproject.toml installs it as the data package
``optimizer.basemaps`` (in editable installs too), so the files travel with the product and
are read with :mod:`importlib.resources` through ``optimizer.areas.bundled_boundaries_dir()``
and ``optimizer.areas.bundled_demo_network()``. ``cache/`` is not shipped. No code lives here.
"""
