MATCH (m:KgMeta {key: 'graph'})
RETURN m.version AS version
