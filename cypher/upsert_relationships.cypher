// $rows: [{type, from, to, key, props}]; key is the ROLE_IN role, '' for other types.
// One branch per relationship type of the model (kamgraph/model.py REL_TYPES; a test keeps
// them equal): a MERGE with a static type uses the typed relationship chains, which is
// about 40 times faster inside a large transaction than a dynamic $(row.type).
UNWIND $rows AS row
MATCH (a:KgNode {id: row.from})
MATCH (b:KgNode {id: row.to})
CALL (a, b, row) {
  WITH a, b, row WHERE row.type = 'WORKS_AT'
  MERGE (a)-[r:WORKS_AT {_key: row.key}]->(b)
  SET r += row.props
  RETURN 1 AS done
  UNION ALL
  WITH a, b, row WHERE row.type = 'REPORTS_TO'
  MERGE (a)-[r:REPORTS_TO {_key: row.key}]->(b)
  SET r += row.props
  RETURN 1 AS done
  UNION ALL
  WITH a, b, row WHERE row.type = 'INFLUENCES'
  MERGE (a)-[r:INFLUENCES {_key: row.key}]->(b)
  SET r += row.props
  RETURN 1 AS done
  UNION ALL
  WITH a, b, row WHERE row.type = 'KNOWS'
  MERGE (a)-[r:KNOWS {_key: row.key}]->(b)
  SET r += row.props
  RETURN 1 AS done
  UNION ALL
  WITH a, b, row WHERE row.type = 'ROLE_IN'
  MERGE (a)-[r:ROLE_IN {_key: row.key}]->(b)
  SET r += row.props
  RETURN 1 AS done
  UNION ALL
  WITH a, b, row WHERE row.type = 'ISSUED_BY'
  MERGE (a)-[r:ISSUED_BY {_key: row.key}]->(b)
  SET r += row.props
  RETURN 1 AS done
  UNION ALL
  WITH a, b, row WHERE row.type = 'FOR_PRODUCT'
  MERGE (a)-[r:FOR_PRODUCT {_key: row.key}]->(b)
  SET r += row.props
  RETURN 1 AS done
  UNION ALL
  WITH a, b, row WHERE row.type = 'AWARDED_TO'
  MERGE (a)-[r:AWARDED_TO {_key: row.key}]->(b)
  SET r += row.props
  RETURN 1 AS done
  UNION ALL
  WITH a, b, row WHERE row.type = 'MADE_BY'
  MERGE (a)-[r:MADE_BY {_key: row.key}]->(b)
  SET r += row.props
  RETURN 1 AS done
  UNION ALL
  WITH a, b, row WHERE row.type = 'LOCATED_IN'
  MERGE (a)-[r:LOCATED_IN {_key: row.key}]->(b)
  SET r += row.props
  RETURN 1 AS done
  UNION ALL
  WITH a, b, row WHERE row.type = 'PART_OF'
  MERGE (a)-[r:PART_OF {_key: row.key}]->(b)
  SET r += row.props
  RETURN 1 AS done
  UNION ALL
  WITH a, b, row WHERE row.type = 'COVERS'
  MERGE (a)-[r:COVERS {_key: row.key}]->(b)
  SET r += row.props
  RETURN 1 AS done
  UNION ALL
  WITH a, b, row WHERE row.type = 'RELATES_TO'
  MERGE (a)-[r:RELATES_TO {_key: row.key}]->(b)
  SET r += row.props
  RETURN 1 AS done
  UNION ALL
  WITH a, b, row WHERE row.type = 'ALIGNED_WITH'
  MERGE (a)-[r:ALIGNED_WITH {_key: row.key}]->(b)
  SET r += row.props
  RETURN 1 AS done
  UNION ALL
  WITH a, b, row WHERE row.type = 'ATTENDED'
  MERGE (a)-[r:ATTENDED {_key: row.key}]->(b)
  SET r += row.props
  RETURN 1 AS done
  UNION ALL
  WITH a, b, row WHERE row.type = 'HAD'
  MERGE (a)-[r:HAD {_key: row.key}]->(b)
  SET r += row.props
  RETURN 1 AS done
  UNION ALL
  WITH a, b, row WHERE row.type = 'WITH'
  MERGE (a)-[r:WITH {_key: row.key}]->(b)
  SET r += row.props
  RETURN 1 AS done
  UNION ALL
  WITH a, b, row WHERE row.type = 'PLANS'
  MERGE (a)-[r:PLANS {_key: row.key}]->(b)
  SET r += row.props
  RETURN 1 AS done
  UNION ALL
  WITH a, b, row WHERE row.type = 'TARGETS'
  MERGE (a)-[r:TARGETS {_key: row.key}]->(b)
  SET r += row.props
  RETURN 1 AS done
}
RETURN count(*) AS written
