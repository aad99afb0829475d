// $needle is case-folded; exact names first, then names that start with it.
MATCH (n:KgNode) USING TEXT INDEX n:KgNode(_search)
WHERE n._search CONTAINS $needle AND ($label IS NULL OR $label IN labels(n))
RETURN [l IN labels(n) WHERE l <> 'KgNode'][0] AS label, properties(n) AS props
ORDER BY n._search = $needle DESC, n._search STARTS WITH $needle DESC, n.name, n.id
LIMIT $limit
