"""Analyses: pure functions over networkx graphs, one module per family."""
