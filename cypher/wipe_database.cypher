// Tests and benchmarks only: empty the database (kamgraph nodes, tombstones, users, the audit
// log and the version counter).
MATCH (n) WHERE n:KgNode OR n:KgMeta OR n:KgUser OR n:KgGone OR n:KgAudit
CALL (n) { DETACH DELETE n } IN TRANSACTIONS OF 10000 ROWS
