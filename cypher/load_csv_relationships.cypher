// Benchmark baseline (bench/neo4j_import.py): relationships.csv read by Neo4j itself in one
// pass, committed every 10,000 rows; one static-type MERGE branch per model type, as in
// upsert_relationships.cypher; values stay text.
LOAD CSV WITH HEADERS FROM 'file:///' + $file AS row
CALL (row) {
  MATCH (a:KgNode {id: row.from})
  MATCH (b:KgNode {id: row.to})
  CALL (a, b, row) {
    WITH a, b, row WHERE row.type = 'WORKS_AT'
    MERGE (a)-[r:WORKS_AT {_key: coalesce(row.role, '')}]->(b)
    SET r += row
    REMOVE r.type, r.from, r.to
    RETURN 1 AS done
    UNION ALL
    WITH a, b, row WHERE row.type = 'REPORTS_TO'
    MERGE (a)-[r:REPORTS_TO {_key: coalesce(row.role, '')}]->(b)
    SET r += row
    REMOVE r.type, r.from, r.to
    RETURN 1 AS done
    UNION ALL
    WITH a, b, row WHERE row.type = 'INFLUENCES'
    MERGE (a)-[r:INFLUENCES {_key: coalesce(row.role, '')}]->(b)
    SET r += row
    REMOVE r.type, r.from, r.to
    RETURN 1 AS done
    UNION ALL
    WITH a, b, row WHERE row.type = 'KNOWS'
    MERGE (a)-[r:KNOWS {_key: coalesce(row.role, '')}]->(b)
    SET r += row
    REMOVE r.type, r.from, r.to
    RETURN 1 AS done
    UNION ALL
    WITH a, b, row WHERE row.type = 'ROLE_IN'
    MERGE (a)-[r:ROLE_IN {_key: coalesce(row.role, '')}]->(b)
    SET r += row
    REMOVE r.type, r.from, r.to
    RETURN 1 AS done
    UNION ALL
    WITH a, b, row WHERE row.type = 'ISSUED_BY'
    MERGE (a)-[r:ISSUED_BY {_key: coalesce(row.role, '')}]->(b)
    SET r += row
    REMOVE r.type, r.from, r.to
    RETURN 1 AS done
    UNION ALL
    WITH a, b, row WHERE row.type = 'FOR_PRODUCT'
    MERGE (a)-[r:FOR_PRODUCT {_key: coalesce(row.role, '')}]->(b)
    SET r += row
    REMOVE r.type, r.from, r.to
    RETURN 1 AS done
    UNION ALL
    WITH a, b, row WHERE row.type = 'AWARDED_TO'
    MERGE (a)-[r:AWARDED_TO {_key: coalesce(row.role, '')}]->(b)
    SET r += row
    REMOVE r.type, r.from, r.to
    RETURN 1 AS done
    UNION ALL
    WITH a, b, row WHERE row.type = 'MADE_BY'
    MERGE (a)-[r:MADE_BY {_key: coalesce(row.role, '')}]->(b)
    SET r += row
    REMOVE r.type, r.from, r.to
    RETURN 1 AS done
    UNION ALL
    WITH a, b, row WHERE row.type = 'LOCATED_IN'
    MERGE (a)-[r:LOCATED_IN {_key: coalesce(row.role, '')}]->(b)
    SET r += row
    REMOVE r.type, r.from, r.to
    RETURN 1 AS done
    UNION ALL
    WITH a, b, row WHERE row.type = 'PART_OF'
    MERGE (a)-[r:PART_OF {_key: coalesce(row.role, '')}]->(b)
    SET r += row
    REMOVE r.type, r.from, r.to
    RETURN 1 AS done
    UNION ALL
    WITH a, b, row WHERE row.type = 'COVERS'
    MERGE (a)-[r:COVERS {_key: coalesce(row.role, '')}]->(b)
    SET r += row
    REMOVE r.type, r.from, r.to
    RETURN 1 AS done
    UNION ALL
    WITH a, b, row WHERE row.type = 'RELATES_TO'
    MERGE (a)-[r:RELATES_TO {_key: coalesce(row.role, '')}]->(b)
    SET r += row
    REMOVE r.type, r.from, r.to
    RETURN 1 AS done
    UNION ALL
    WITH a, b, row WHERE row.type = 'ALIGNED_WITH'
    MERGE (a)-[r:ALIGNED_WITH {_key: coalesce(row.role, '')}]->(b)
    SET r += row
    REMOVE r.type, r.from, r.to
    RETURN 1 AS done
    UNION ALL
    WITH a, b, row WHERE row.type = 'ATTENDED'
    MERGE (a)-[r:ATTENDED {_key: coalesce(row.role, '')}]->(b)
    SET r += row
    REMOVE r.type, r.from, r.to
    RETURN 1 AS done
    UNION ALL
    WITH a, b, row WHERE row.type = 'HAD'
    MERGE (a)-[r:HAD {_key: coalesce(row.role, '')}]->(b)
    SET r += row
    REMOVE r.type, r.from, r.to
    RETURN 1 AS done
    UNION ALL
    WITH a, b, row WHERE row.type = 'WITH'
    MERGE (a)-[r:WITH {_key: coalesce(row.role, '')}]->(b)
    SET r += row
    REMOVE r.type, r.from, r.to
    RETURN 1 AS done
    UNION ALL
    WITH a, b, row WHERE row.type = 'PLANS'
    MERGE (a)-[r:PLANS {_key: coalesce(row.role, '')}]->(b)
    SET r += row
    REMOVE r.type, r.from, r.to
    RETURN 1 AS done
    UNION ALL
    WITH a, b, row WHERE row.type = 'TARGETS'
    MERGE (a)-[r:TARGETS {_key: coalesce(row.role, '')}]->(b)
    SET r += row
    REMOVE r.type, r.from, r.to
    RETURN 1 AS done
  }
  FINISH
} IN TRANSACTIONS OF 10000 ROWS
