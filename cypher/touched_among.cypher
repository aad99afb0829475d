// The ids among $ids touched (or deleted) by writes after graph version $version, with the
// kinds of those touches ('node', or a relationship type).
UNWIND $ids AS id
OPTIONAL MATCH (n:KgNode {id: id}) USING INDEX SEEK n:KgNode(id)
OPTIONAL MATCH (g:KgGone {id: id}) USING INDEX SEEK g:KgGone(id)
WITH id, n, g
WHERE n._touched > $version OR g.version > $version
RETURN id,
       CASE WHEN n IS NULL THEN []
            ELSE [key IN keys(n) WHERE key STARTS WITH '_touched_' AND n[key] > $version
                  | substring(key, 9)] END
       + CASE WHEN g.version > $version THEN ['node'] ELSE [] END AS kinds
