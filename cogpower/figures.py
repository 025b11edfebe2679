FIGURES: dict = {}
