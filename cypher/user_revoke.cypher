// Revoke a user's token; returns 0 when there is no such user.
MATCH (u:KgUser {name: $name})
SET u.revoked = true
RETURN count(u) AS revoked
