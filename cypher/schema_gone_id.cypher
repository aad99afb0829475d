// Tombstones of deleted nodes (:KgGone, never :KgNode): one per id, with the version of the
// deletion, so a cache sees that a node vanished.
CREATE CONSTRAINT kg_gone_id IF NOT EXISTS FOR (g:KgGone) REQUIRE g.id IS UNIQUE
