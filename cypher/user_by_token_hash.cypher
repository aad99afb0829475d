// The user holding this token hash, unless revoked.
MATCH (u:KgUser {token_hash: $token_hash})
WHERE NOT u.revoked
RETURN u.name AS name, u.role AS role, u.account_manager AS account_manager,
       u.token_prefix AS token_prefix, u.created AS created, u.revoked AS revoked
