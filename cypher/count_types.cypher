MATCH (:KgNode)-[r]->(:KgNode)
RETURN type(r) AS type, count(*) AS count
ORDER BY type
