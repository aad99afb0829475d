// Erasure (kamgraph.privacy): blank the properties of the audit entries about a person, those
// naming them as stakeholder, with a target in $targets (their interactions and plans) or a
// relationship target with them at an end ("TYPE from->to", "#key" after). Entries stay.
MATCH (a:KgAudit)
WHERE (a.before IS NOT NULL OR a.after IS NOT NULL)
  AND (a.stakeholder = $id OR a.target IN $targets OR a.target ENDS WITH '->' + $id
       OR a.target CONTAINS '->' + $id + '#' OR a.target CONTAINS ' ' + $id + '->')
SET a.before = null, a.after = null
RETURN count(a) AS redacted
