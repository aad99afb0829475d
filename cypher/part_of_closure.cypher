// $ids and every territory or organisation that is PART_OF them, at any depth.
UNWIND $ids AS id
MATCH (:KgNode {id: id})<-[:PART_OF*0..]-(part:KgNode)
RETURN DISTINCT part.id AS id
