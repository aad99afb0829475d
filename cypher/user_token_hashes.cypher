// Every user's token hash by name, for backups only.
MATCH (u:KgUser)
RETURN u.name AS name, u.token_hash AS token_hash
