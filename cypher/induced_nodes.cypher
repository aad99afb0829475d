// The nodes with ids in $ids, in id order, as one list of [label, properties] (one record:
// the driver's per-record cost is most of the time of a large subgraph).
UNWIND $ids AS id
MATCH (n:KgNode {id: id}) USING INDEX SEEK n:KgNode(id)
WITH n ORDER BY n.id
RETURN collect([[l IN labels(n) WHERE l <> 'KgNode'][0], properties(n)]) AS nodes
