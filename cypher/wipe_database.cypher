// Tests only: empty the database (kamgraph nodes, users and the version counter).
MATCH (n) WHERE n:KgNode OR n:KgMeta OR n:KgUser
CALL (n) { DETACH DELETE n } IN TRANSACTIONS OF 10000 ROWS
