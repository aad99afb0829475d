// Relationships with both ends among $ids, in identity order (type, from, to, key), as one
// list of [from, to, type, key, properties] (one record, as induced_nodes). The far end has no
// label on purpose: with one the planner may seek every id of $ids for it and join each pair
// (a cartesian product, fine for 3 ids, quadratic for thousands); without, it expands each
// start node and checks the far end's id against $ids (a set, built once).
UNWIND $ids AS id
MATCH (a:KgNode {id: id})-[r]->(b) USING INDEX SEEK a:KgNode(id)
WHERE b.id IN $ids
WITH a.id AS src, b.id AS dst, type(r) AS type, r._key AS key, properties(r) AS props
ORDER BY type, src, dst, key
RETURN collect([src, dst, type, key, props]) AS relationships
