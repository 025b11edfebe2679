"""powerseek: Turner's power-seeking theorems in finite MDPs.

POWER, optimality probability, and orbit-level tendencies of retargetable decision-makers under
state permutations (Turner et al., NeurIPS 2021; Turner & Tadepalli, NeurIPS 2022).

Not built yet: this package is a placeholder for the powerseek issues.
"""
