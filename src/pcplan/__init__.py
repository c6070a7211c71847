"""pcplan: plan, check and track children's services peer challenges kept as YAML files."""

__version__ = "0.1.0"

# True in a process that ends with its one command (the console script, set by
# pcplan.cli.runtime.main); False when pcplan is imported, as by the tests. See
# pcplan.checker.analyse.
SHORT_LIVED = False
