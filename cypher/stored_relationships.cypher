// The stored properties of the relationships named by $rows ([{type, from, to, key}]), those
// that exist: a write compares them with what it sets, so a row changing nothing touches nothing.
UNWIND $rows AS row
MATCH (a:KgNode {id: row.from})-[r]->(b) USING INDEX SEEK a:KgNode(id)
WHERE b.id = row.to AND type(r) = row.type AND r._key = row.key
RETURN row.type AS type, row.from AS src, row.to AS dst, row.key AS key, properties(r) AS props
