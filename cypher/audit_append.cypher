// Append audit entries ($rows: [{at, actor, action, target, label, stakeholder, before,
// after}], before/after as JSON text), numbered on from KgMeta.audit_seq. Nothing ever
// changes or removes a :KgAudit node.
MATCH (m:KgMeta {key: 'graph'}) USING INDEX SEEK m:KgMeta(key)
WITH m, coalesce(m.audit_seq, 0) AS first
SET m.audit_seq = first + size($rows)
WITH first
UNWIND range(0, size($rows) - 1) AS i
WITH first + i + 1 AS seq, $rows[i] AS row
CREATE (:KgAudit {seq: seq, at: row.at, actor: row.actor, action: row.action, target: row.target,
                  label: row.label, stakeholder: row.stakeholder, before: row.before,
                  after: row.after})
