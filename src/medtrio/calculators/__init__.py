"""Clinical calculators: a registry of typed, unit-checked, source-cited formulas with step-by-step output.

Public interface: `all_calculators()`, `get(name)`, `calculate(name, inputs) -> Result`.
Inputs are values with
units (`{"creatinine": [1.2, "mg/dL"]}`), booleans or choices; bad input raises `medtrio.errors.InvalidInput`
naming the input. See docs/calculators.md.
"""

from medtrio.calculators.core import Calculator, Input, Result, all_calculators, calculate, get

__all__ = ["Calculator", "Input", "Result", "all_calculators", "calculate", "get"]
