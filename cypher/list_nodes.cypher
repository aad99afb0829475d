// $label may be null; $where is a map of property -> value that must all be equal.
MATCH (n:KgNode)
WHERE ($label IS NULL OR $label IN labels(n))
  AND all(key IN keys($where) WHERE n[key] = $where[key])
RETURN [l IN labels(n) WHERE l <> 'KgNode'][0] AS label, properties(n) AS props
ORDER BY n.id
SKIP $offset LIMIT $limit
