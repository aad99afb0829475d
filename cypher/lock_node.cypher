// Take a node's write lock until the transaction ends (writing a property takes it; the
// property goes again at once): read-then-write sequences on it run one at a time.
MATCH (n:KgNode {id: $id}) USING INDEX SEEK n:KgNode(id)
SET n._lock = true
REMOVE n._lock
