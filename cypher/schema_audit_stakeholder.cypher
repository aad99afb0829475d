// Audit entries by the stakeholder they are about.
CREATE RANGE INDEX kg_audit_stakeholder IF NOT EXISTS FOR (a:KgAudit) ON (a.stakeholder)
