// Case-folded names for CONTAINS search in any script.
CREATE TEXT INDEX kg_node_search IF NOT EXISTS FOR (n:KgNode) ON (n._search)
