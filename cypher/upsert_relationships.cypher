// $rows: [{type, from, to, key, props}]; key is the ROLE_IN role, '' for other types.
UNWIND $rows AS row
MATCH (a:KgNode {id: row.from})
MATCH (b:KgNode {id: row.to})
MERGE (a)-[r:$(row.type) {_key: row.key}]->(b)
SET r += row.props
RETURN count(r) AS written
