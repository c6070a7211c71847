"""pcplan: plan, check and track children's services peer challenges kept as YAML files."""

__version__ = "0.1.0"
