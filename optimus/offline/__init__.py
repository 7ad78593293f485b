"""Offline formulator: word problems to typed formulations by rules, with no model.

>>> from optimus.offline import solve_offline
>>> a = solve_offline("A bakery makes cakes and pies. Each cake needs 2 hours of oven time "
...     "and each pie needs 1 hour of oven time. 40 hours of oven time are available. "
...     "The profit is $5 per cake and $3 per pie. How many cakes and pies should it bake "
...     "to maximize profit?")
>>> a.status, a.objective
('optimal', 120.0)
"""

from optimus.offline.reader import (DEFAULT_MIN_CONFIDENCE, OfflineResult, formulate_offline,
                                 solve_offline)
from optimus.offline.normalize import normalize

__all__ = ["DEFAULT_MIN_CONFIDENCE", "OfflineResult", "formulate_offline", "normalize",
           "solve_offline"]
