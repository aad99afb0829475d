UNWIND $ids AS id
MATCH (n:KgNode {id: id}) USING INDEX SEEK n:KgNode(id)
RETURN n.id AS id, [l IN labels(n) WHERE l <> 'KgNode'][0] AS label
