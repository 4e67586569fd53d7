"""How the served model's decisions turn out once outcomes are known."""
