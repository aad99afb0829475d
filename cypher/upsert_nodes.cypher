// $rows: [{id, label, name, search, props}]; label comes from the model's fixed list.
// A node whose id exists under another label is not touched (and not counted).
UNWIND $rows AS row
MERGE (n:KgNode {id: row.id})
  ON CREATE SET n:$(row.label)
WITH n, row
WHERE row.label IN labels(n)
SET n += row.props, n.name = row.name, n._search = row.search
RETURN count(n) AS written
