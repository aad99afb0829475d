OPTIONAL MATCH (n:KgNode {id: $id})
DETACH DELETE n
RETURN count(n) AS deleted
