"""Reading the YAML sources: safe loading with positions (`loader`), syntax errors explained
(`syntax`), nodes into the model with every finding (`validate`), finding books (`books`)."""
