// The version of the last write that counted as touching every node (0: none yet).
MATCH (m:KgMeta {key: 'graph'}) USING INDEX SEEK m:KgMeta(key)
RETURN coalesce(m.touched_all, 0) AS version
