// Audit entries by user, stakeholder and time (each filter may be null), oldest first.
MATCH (a:KgAudit)
WHERE ($actor IS NULL OR a.actor = $actor) AND ($stakeholder IS NULL OR a.stakeholder = $stakeholder)
  AND ($low IS NULL OR a.at >= $low) AND ($high IS NULL OR a.at < $high)
RETURN a.seq AS seq, a.at AS at, a.actor AS actor, a.action AS action, a.target AS target,
       a.label AS label, a.stakeholder AS stakeholder, a.before AS before, a.after AS after
ORDER BY a.seq
SKIP $offset LIMIT $limit
