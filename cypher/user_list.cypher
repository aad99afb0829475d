// Every user, revoked ones too (no token hashes).
MATCH (u:KgUser)
RETURN u.name AS name, u.role AS role, u.account_manager AS account_manager,
       u.token_prefix AS token_prefix, u.created AS created, u.revoked AS revoked
ORDER BY u.name
