// Streamed in identity order for export.
MATCH (a:KgNode)-[r]->(b:KgNode)
RETURN type(r) AS type, a.id AS src, b.id AS dst, properties(r) AS props
ORDER BY type, src, dst, r._key
