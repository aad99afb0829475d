MATCH (n:KgNode {id: $id})-[r]-() USING INDEX SEEK n:KgNode(id)
WHERE $type IS NULL OR type(r) = $type
RETURN type(r) AS type, startNode(r).id AS src, endNode(r).id AS dst, properties(r) AS props
