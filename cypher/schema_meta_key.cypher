// The version counter is read before every cached answer: found by index, not label scan.
CREATE CONSTRAINT kg_meta_key IF NOT EXISTS FOR (m:KgMeta) REQUIRE m.key IS UNIQUE
