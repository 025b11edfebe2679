"""Figure registry of goodhart: name -> function(out_dir, rng, quick) -> list of written paths."""

FIGURES: dict = {}
