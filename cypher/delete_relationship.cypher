// Delete one relationship by identity: $type (one of the model's types, checked before),
// $src and $dst ids (a symmetric KNOWS already with src < dst), $key ('' or the ROLE_IN
// role). The type is a parameter compared with type(r): no query text is built from it.
OPTIONAL MATCH (a:KgNode {id: $src})-[r {_key: $key}]->(b:KgNode {id: $dst})
USING INDEX SEEK a:KgNode(id) USING INDEX SEEK b:KgNode(id)
WHERE type(r) = $type
DELETE r
RETURN count(r) AS deleted
