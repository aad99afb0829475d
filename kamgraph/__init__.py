"""kamgraph: a relationship-graph knowledge base for key account managers."""

__version__ = "0.1.0"
