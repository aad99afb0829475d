MATCH (n:KgNode)
UNWIND labels(n) AS label
WITH label WHERE label <> 'KgNode'
RETURN label, count(*) AS count
ORDER BY label
