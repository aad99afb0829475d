// The graph version counter, outside the :KgNode graph.
MERGE (m:KgMeta {key: 'graph'})
ON CREATE SET m.version = 0
