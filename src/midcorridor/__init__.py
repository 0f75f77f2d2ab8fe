"""midcorridor: transit times on the Middle Corridor, the route through Russia and the sea.

The public API, in pipeline order (files -> network -> routes -> scenario runs -> results
-> tables, maps, charts, reports)::

    import midcorridor as mc
    net = mc.load()                                   # network/ of this checkout
    base = mc.load_scenario("scenarios/baseline.yaml")
    run = mc.run_scenario(base, net)
    run.trips[0].stages_frame()                       # days per stage
    mc.scenario_map([run], net).save("maps/baseline.html")
    run.cost(run.trips[0].label).to_dict()            # USD, CO2e, cost of time
    mc.solve_choice(base, net, baseline=base).shares()  # corridor shares of the cargo

The names are listed once, in ``__init__.pyi``, and imported on first use (so that
``midcorridor --help`` starts fast); type checkers and ``dir(mc)`` see them all.
"""

import logging

import lazy_loader

__getattr__, __dir__, __all__ = lazy_loader.attach_stub(__name__, __file__)

# The library logs (progress, steps) but never decides where logs go: an application (the
# command line, a notebook) adds its handlers.
logging.getLogger(__name__).addHandler(logging.NullHandler())
