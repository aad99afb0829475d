MATCH (n:KgNode {id: $id}) USING INDEX SEEK n:KgNode(id)
RETURN [l IN labels(n) WHERE l <> 'KgNode'][0] AS label, properties(n) AS props
