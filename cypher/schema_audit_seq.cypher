// The audit log (kamgraph.audit): :KgAudit entries, numbered by KgMeta.audit_seq.
CREATE CONSTRAINT kg_audit_seq IF NOT EXISTS FOR (a:KgAudit) REQUIRE a.seq IS UNIQUE
