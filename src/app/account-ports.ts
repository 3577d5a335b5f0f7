// What the account use cases need from storage: users, sessions, one-time tokens and the e-mail outbox.
// Tokens and session IDs are stored only as SHA-256 hashes, so a copy of the database signs nobody in.

export interface UserRecord {
  id: string;
  /** Lower case; unique. */
  email: string;
  name: string;
  passwordHash: string;
  /** `operator` for platform operators; null for people who act only through memberships. */
  platformRole: 'operator' | null;
  /** The TOTP secret, encrypted; null until enrolment starts. */
  totpSecret: string | null;
  mfaEnrolledAt: string | null;
  /** SHA-256 hashes of the unused recovery codes. */
  recoveryCodes: string[];
  failedSignIns: number;
  lockedUntil: string | null;
  createdAt: string;
  lastSignInAt: string | null;
}

export interface SessionRecord {
  /** SHA-256 of the token in the cookie. */
  id: string;
  userId: string;
  /** True once the second factor was given (or enrolled) in this session. */
  mfaPassed: boolean;
  createdAt: string;
  lastSeenAt: string;
}

export type OneTimePurpose = 'setup' | 'invitation' | 'password-reset';

export interface OneTimeTokenRecord {
  /** SHA-256 of the token in the link. */
  id: string;
  purpose: OneTimePurpose;
  email: string | null;
  organisationId: string | null;
  role: string | null;
  createdAt: string;
  expiresAt: string;
  usedAt: string | null;
}

export interface OutboxMessage {
  id: string;
  to: string;
  subject: string;
  body: string;
  createdAt: string;
  sentAt: string | null;
}

export interface ApiTokenRecord {
  id: string;
  organisationId: string;
  name: string;
  /** SHA-256 of the token; the token itself is shown once, when it is made. */
  tokenHash: string;
  createdBy: string;
  createdAt: string;
  revokedAt: string | null;
  lastUsedAt: string | null;
}

export interface AccountStore {
  apiTokens: {
    insert(token: ApiTokenRecord): Promise<void>;
    findByHash(tokenHash: string): Promise<ApiTokenRecord | undefined>;
    listByOrganisation(organisationId: string): Promise<ApiTokenRecord[]>;
    revoke(organisationId: string, id: string, revokedAt: string): Promise<boolean>;
    touch(id: string, lastUsedAt: string): Promise<void>;
  };
  users: {
    count(): Promise<number>;
    insert(user: UserRecord): Promise<void>;
    findByEmail(email: string): Promise<UserRecord | undefined>;
    findById(id: string): Promise<UserRecord | undefined>;
    update(id: string, changes: Partial<Omit<UserRecord, 'id' | 'email' | 'createdAt'>>): Promise<void>;
  };
  sessions: {
    insert(session: SessionRecord): Promise<void>;
    /** The session with its user, in one read. */
    findWithUser(id: string): Promise<{ session: SessionRecord; user: UserRecord } | undefined>;
    touch(id: string, lastSeenAt: string): Promise<void>;
    remove(id: string): Promise<void>;
    removeForUser(userId: string): Promise<void>;
  };
  tokens: {
    insert(token: OneTimeTokenRecord): Promise<void>;
    find(id: string): Promise<OneTimeTokenRecord | undefined>;
    /** An organisation's invitations not yet used and not yet expired at `now`, newest first. */
    openInvitations(organisationId: string, now: string): Promise<OneTimeTokenRecord[]>;
    /** Marks the token used; false when it was already used (two requests raced for it). */
    use(id: string, usedAt: string): Promise<boolean>;
  };
  outbox: {
    insert(message: OutboxMessage): Promise<void>;
    list(): Promise<OutboxMessage[]>;
  };
}

/** Hashes and checks passwords (argon2id). */
export interface PasswordHasher {
  hash(password: string): Promise<string>;
  verify(hash: string, password: string): Promise<boolean>;
}

/** Encrypts small secrets (TOTP keys) at rest with the evidence key. */
export interface SecretBox {
  seal(plain: string): string;
  open(sealed: string): string;
}

/** Sends an e-mail that is already in the outbox; without SMTP configured, messages stay in the outbox. */
export interface Mailer {
  /** True when the message left through SMTP; false when it is kept in the outbox for an operator. */
  send(message: OutboxMessage): Promise<boolean>;
}
