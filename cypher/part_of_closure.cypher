// $ids and every territory or organisation that is PART_OF them, at any depth.
UNWIND $ids AS id
MATCH (n:KgNode {id: id})<-[:PART_OF*0..]-(part) USING INDEX SEEK n:KgNode(id)
RETURN DISTINCT part.id AS id
