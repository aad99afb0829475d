// changed_since: tombstones written after a graph version, found by range seek.
CREATE RANGE INDEX kg_gone_version IF NOT EXISTS FOR (g:KgGone) ON (g.version)
