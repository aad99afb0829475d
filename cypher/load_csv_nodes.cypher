// Benchmark baseline (bench/neo4j_import.py): Neo4j reads one kamgraph CSV node file from its
// import folder itself. $file is the file name there, $label its label; values stay text.
LOAD CSV WITH HEADERS FROM 'file:///' + $file AS row
CALL (row) {
  MERGE (n:KgNode {id: row.id})
    ON CREATE SET n:$($label)
  SET n += row, n._search = toLower(row.name)
} IN TRANSACTIONS OF 10000 ROWS
