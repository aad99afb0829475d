// Relationships with both ends among $ids.
UNWIND $ids AS id
MATCH (a:KgNode {id: id})-[r]->(b:KgNode)
WHERE b.id IN $ids
RETURN type(r) AS type, a.id AS src, b.id AS dst, properties(r) AS props
