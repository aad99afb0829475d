// Every committed write transaction runs this once.
MATCH (m:KgMeta {key: 'graph'})
SET m.version = m.version + 1
