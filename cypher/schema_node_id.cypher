// Ids are unique across the whole graph: every kamgraph node also carries :KgNode.
CREATE CONSTRAINT kg_node_id IF NOT EXISTS FOR (n:KgNode) REQUIRE n.id IS UNIQUE
