// Delete a node with its relationships; returns its former neighbours with the kind of touch
// each relationship that went leaves ([id, kind]): TYPE< at its end, TYPE> at its start.
OPTIONAL MATCH (n:KgNode {id: $id}) USING INDEX SEEK n:KgNode(id)
OPTIONAL MATCH (n)-[r]-(m:KgNode)
WITH n, collect(DISTINCT CASE WHEN r IS NOT NULL
                              THEN [m.id, type(r) + CASE WHEN startNode(r) = n THEN '<' ELSE '>' END]
                         END) AS neighbours
DETACH DELETE n
RETURN count(n) AS deleted, neighbours
