"""Synthetic demonstration data: a generated road network, households, depots and teams.

Nothing here is real apart from the administrative boundaries the data is generated on. The
road network (:mod:`optimizer.demo.network`) is shaped like an OpenStreetMap extract of a rural
regency with towns; the population (:mod:`optimizer.demo.population`) is shaped like a social
register export, deliberate errors included. Every file produced says ``synthetic``.
"""
