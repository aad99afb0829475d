// Sign-in looks a user up by the SHA-256 hash of their token.
CREATE INDEX kg_user_token IF NOT EXISTS FOR (u:KgUser) ON (u.token_hash)
