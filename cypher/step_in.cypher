// Ids one relationship into $ids, of $types (any type when empty).
UNWIND $ids AS id
MATCH (n:KgNode {id: id})<-[r]-(m:KgNode) USING INDEX SEEK n:KgNode(id)
WHERE size($types) = 0 OR type(r) IN $types
RETURN DISTINCT m.id AS id
