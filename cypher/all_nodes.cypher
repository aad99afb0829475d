// Streamed in id order for export; $label may be null.
MATCH (n:KgNode)
WHERE $label IS NULL OR $label IN labels(n)
RETURN [l IN labels(n) WHERE l <> 'KgNode'][0] AS label, properties(n) AS props
ORDER BY n.id
