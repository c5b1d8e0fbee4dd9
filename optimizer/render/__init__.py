"""Renderers: turn a finished Plan into files people read.

``report`` writes plan.json, ``sheets`` the CSV sheets and ``maps`` the self-contained HTML map
(the only module of the product that imports folium; its Leaflet copy lives in ``assets/``).
Renderers read the Plan only (its ``render`` field holds the scenario's ``[render]``
settings): they never touch road graphs or the solver.
"""
