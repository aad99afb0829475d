// Ids one relationship away from $ids, of $types (any type when empty), along relationships
// active on $day: since <= $day <= until, by the dates' first 10 characters (is_active).
UNWIND $ids AS id
MATCH (n:KgNode {id: id})-[r]-(m:KgNode) USING INDEX SEEK n:KgNode(id)
WHERE (size($types) = 0 OR type(r) IN $types)
  AND (r.since IS NULL OR left(toString(r.since), 10) <= $day)
  AND (r.until IS NULL OR $day <= left(toString(r.until), 10))
RETURN DISTINCT m.id AS id
