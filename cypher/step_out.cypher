// Ids one relationship out of $ids, of $types (any type when empty).
UNWIND $ids AS id
MATCH (:KgNode {id: id})-[r]->(m:KgNode)
WHERE size($types) = 0 OR type(r) IN $types
RETURN DISTINCT m.id AS id
