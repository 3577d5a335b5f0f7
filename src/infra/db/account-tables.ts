// Row shapes of the account tables (users, sessions, one-time tokens, outbox).

export interface UsersTable {
  id: string;
  email: string;
  name: string;
  password_hash: string;
  platform_role: string | null;
  totp_secret: string | null;
  mfa_enrolled_at: string | null;
  /** JSON list of SHA-256 hashes. */
  recovery_codes: string;
  failed_sign_ins: number;
  locked_until: string | null;
  created_at: string;
  last_sign_in_at: string | null;
}

export interface SessionsTable {
  id: string;
  user_id: string;
  mfa_passed: number;
  created_at: string;
  last_seen_at: string;
}

export interface OneTimeTokensTable {
  id: string;
  purpose: string;
  email: string | null;
  organisation_id: string | null;
  role: string | null;
  created_at: string;
  expires_at: string;
  used_at: string | null;
}

export interface OutboxTable {
  id: string;
  to_address: string;
  subject: string;
  body: string;
  created_at: string;
  sent_at: string | null;
}

export interface ApiTokensTable {
  id: string;
  organisation_id: string;
  name: string;
  token_hash: string;
  created_by: string;
  created_at: string;
  revoked_at: string | null;
  last_used_at: string | null;
}

export interface AccountTables {
  api_tokens: ApiTokensTable;
  users: UsersTable;
  sessions: SessionsTable;
  one_time_tokens: OneTimeTokensTable;
  outbox: OutboxTable;
}
