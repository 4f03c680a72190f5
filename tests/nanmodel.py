"""A model that returns NaN for some inputs, to test that the sweep engine names them."""

import math


def sometimes_nan(params: dict, seed: int) -> dict:
    y = params["x1"]
    return {"y": math.nan if y > 1.0 else y}
