// Every committed write transaction runs this once, last: the graph version grows by one and
// the nodes the transaction touched record it, so a cache can tell which of its nodes changed
// (changed_since). $touched: [[id, [kind, ...]]] with kind 'node' for the node's own write or
// the type of a relationship written at it: _touched holds the last version of any kind,
// _touched_<kind> of each. $gone: ids deleted, each kept as a :KgGone tombstone. $all: the
// write touched so many nodes that it counts as touching all (touched_all), lists left empty.
MATCH (m:KgMeta {key: 'graph'}) USING INDEX SEEK m:KgMeta(key)
SET m.version = m.version + 1
SET m.touched_all = CASE WHEN $all THEN m.version ELSE m.touched_all END
WITH m.version AS version
CALL (version) {
  UNWIND $touched AS touch
  MATCH (n:KgNode {id: touch[0]}) USING INDEX SEEK n:KgNode(id)
  SET n._touched = version
  WITH n, touch
  UNWIND touch[1] AS kind
  SET n['_touched_' + kind] = version
}
CALL (version) {
  UNWIND $gone AS id
  MERGE (g:KgGone {id: id})
  SET g.version = version
}
RETURN version
