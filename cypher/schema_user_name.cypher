// Web-app users (:KgUser, never :KgNode, so outside the graph); one user per name.
CREATE CONSTRAINT kg_user_name IF NOT EXISTS FOR (u:KgUser) REQUIRE u.name IS UNIQUE
