// A new user; the kg_user_name constraint refuses a name that is taken.
// Only the token's hash and prefix are stored, never the token.
CREATE (u:KgUser {name: $name, role: $role, account_manager: $account_manager,
                  token_hash: $token_hash, token_prefix: $token_prefix, created: $created,
                  revoked: $revoked})
