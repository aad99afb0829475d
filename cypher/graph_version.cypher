MATCH (m:KgMeta {key: 'graph'}) USING INDEX SEEK m:KgMeta(key)
RETURN m.version AS version
