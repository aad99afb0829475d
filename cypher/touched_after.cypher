// Ids touched (or deleted) by writes after graph version $version, with the kinds of those
// touches ('node', or a relationship type), at most $limit ids.
CALL () {
  MATCH (n:KgNode) USING INDEX SEEK n:KgNode(_touched) WHERE n._touched > $version
  RETURN n.id AS id,
         [key IN keys(n) WHERE key STARTS WITH '_touched_' AND n[key] > $version
          | substring(key, 9)] AS kinds
  UNION
  MATCH (g:KgGone) USING INDEX SEEK g:KgGone(version) WHERE g.version > $version
  RETURN g.id AS id, ['node'] AS kinds
}
RETURN id, kinds
LIMIT $limit
