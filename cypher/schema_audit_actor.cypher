// Audit entries by user.
CREATE RANGE INDEX kg_audit_actor IF NOT EXISTS FOR (a:KgAudit) ON (a.actor)
