// Tests only: empty the database (kamgraph nodes and the version counter).
MATCH (n) WHERE n:KgNode OR n:KgMeta
CALL (n) { DETACH DELETE n } IN TRANSACTIONS OF 10000 ROWS
