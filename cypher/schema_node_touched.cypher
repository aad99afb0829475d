// changed_since: nodes touched after a graph version, found by range seek.
CREATE RANGE INDEX kg_node_touched IF NOT EXISTS FOR (n:KgNode) ON (n._touched)
