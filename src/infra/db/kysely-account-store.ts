// The AccountStore over Kysely, on either engine: rows in, records out.
import type { Kysely, Selectable } from 'kysely';
import type {
  AccountStore,
  ApiTokenRecord,
  OneTimeTokenRecord,
  UserRecord,
} from '../../app/account-ports.ts';
import type { AccountTables, ApiTokensTable, OneTimeTokensTable, UsersTable } from './account-tables.ts';
import { preparedQuery } from './prepared-query.ts';
import { cachedReads } from './sqlite-read-cache.ts';

export function createAccountStore<DB extends AccountTables>(database: Kysely<DB>): AccountStore {
  // The account tables are a slice of the whole schema; queries here see only that slice.
  const db = database as unknown as Kysely<AccountTables>;
  const findSessionWithUser = preparedQuery(
    (id: string) =>
      db
        .selectFrom('sessions')
        .innerJoin('users', 'users.id', 'sessions.user_id')
        .selectAll('users')
        .select([
          'sessions.id as session_id',
          'sessions.mfa_passed as session_mfa_passed',
          'sessions.created_at as session_created_at',
          'sessions.last_seen_at as session_last_seen_at',
        ])
        .where('sessions.id', '=', id),
    [''],
  );
  const cached = cachedReads(database);
  return {
    apiTokens: {
      async insert(t) {
        await db
          .insertInto('api_tokens')
          .values({
            id: t.id,
            organisation_id: t.organisationId,
            name: t.name,
            token_hash: t.tokenHash,
            created_by: t.createdBy,
            created_at: t.createdAt,
            revoked_at: t.revokedAt,
            last_used_at: t.lastUsedAt,
          })
          .execute();
      },
      async findByHash(tokenHash) {
        const row = await db
          .selectFrom('api_tokens')
          .selectAll()
          .where('token_hash', '=', tokenHash)
          .executeTakeFirst();
        return row && toApiToken(row);
      },
      async listByOrganisation(organisationId) {
        const rows = await db
          .selectFrom('api_tokens')
          .selectAll()
          .where('organisation_id', '=', organisationId)
          .execute();
        return rows
          .map(toApiToken)
          .sort((a, b) => (a.createdAt < b.createdAt ? -1 : a.createdAt > b.createdAt ? 1 : 0));
      },
      async revoke(organisationId, id, revokedAt) {
        const result = await db
          .updateTable('api_tokens')
          .set({ revoked_at: revokedAt })
          .where('organisation_id', '=', organisationId)
          .where('id', '=', id)
          .where('revoked_at', 'is', null)
          .executeTakeFirst();
        return Number(result.numUpdatedRows) === 1;
      },
      async touch(id, lastUsedAt) {
        await db.updateTable('api_tokens').set({ last_used_at: lastUsedAt }).where('id', '=', id).execute();
      },
    },
    users: {
      async count() {
        const row = await db
          .selectFrom('users')
          .select((eb) => eb.fn.countAll<number | string>().as('n'))
          .executeTakeFirst();
        return Number(row?.n ?? 0);
      },
      async insert(u) {
        await db
          .insertInto('users')
          .values({
            id: u.id,
            email: u.email,
            name: u.name,
            password_hash: u.passwordHash,
            platform_role: u.platformRole,
            totp_secret: u.totpSecret,
            mfa_enrolled_at: u.mfaEnrolledAt,
            recovery_codes: JSON.stringify(u.recoveryCodes),
            failed_sign_ins: u.failedSignIns,
            locked_until: u.lockedUntil,
            created_at: u.createdAt,
            last_sign_in_at: u.lastSignInAt,
          })
          .execute();
      },
      async findByEmail(email) {
        const row = await db
          .selectFrom('users')
          .selectAll()
          .where('email', '=', email.toLowerCase())
          .executeTakeFirst();
        return row && toUser(row);
      },
      async findById(id) {
        const row = await db.selectFrom('users').selectAll().where('id', '=', id).executeTakeFirst();
        return row && toUser(row);
      },
      async update(id, c) {
        const set: Partial<UsersTable> = {};
        if (c.name !== undefined) set.name = c.name;
        if (c.passwordHash !== undefined) set.password_hash = c.passwordHash;
        if (c.platformRole !== undefined) set.platform_role = c.platformRole;
        if (c.totpSecret !== undefined) set.totp_secret = c.totpSecret;
        if (c.mfaEnrolledAt !== undefined) set.mfa_enrolled_at = c.mfaEnrolledAt;
        if (c.recoveryCodes !== undefined) set.recovery_codes = JSON.stringify(c.recoveryCodes);
        if (c.failedSignIns !== undefined) set.failed_sign_ins = c.failedSignIns;
        if (c.lockedUntil !== undefined) set.locked_until = c.lockedUntil;
        if (c.lastSignInAt !== undefined) set.last_sign_in_at = c.lastSignInAt;
        if (Object.keys(set).length > 0)
          await db.updateTable('users').set(set).where('id', '=', id).execute();
      },
    },
    sessions: {
      async insert(s) {
        await db
          .insertInto('sessions')
          .values({
            id: s.id,
            user_id: s.userId,
            mfa_passed: s.mfaPassed ? 1 : 0,
            created_at: s.createdAt,
            last_seen_at: s.lastSeenAt,
          })
          .execute();
      },
      findWithUser(id) {
        // One query instead of two, compiled once, and kept while the database is unchanged: every page asks this first.
        return cached(`session:${id}`, async () => {
          const row = (await db.executeQuery(findSessionWithUser(id))).rows[0];
          return (
            row && {
              session: {
                id: row.session_id,
                userId: row.id,
                mfaPassed: Number(row.session_mfa_passed) === 1,
                createdAt: row.session_created_at,
                lastSeenAt: row.session_last_seen_at,
              },
              user: toUser(row),
            }
          );
        });
      },
      async touch(id, lastSeenAt) {
        await db.updateTable('sessions').set({ last_seen_at: lastSeenAt }).where('id', '=', id).execute();
      },
      async remove(id) {
        await db.deleteFrom('sessions').where('id', '=', id).execute();
      },
      async removeForUser(userId) {
        await db.deleteFrom('sessions').where('user_id', '=', userId).execute();
      },
    },
    tokens: {
      async insert(t) {
        await db
          .insertInto('one_time_tokens')
          .values({
            id: t.id,
            purpose: t.purpose,
            email: t.email,
            organisation_id: t.organisationId,
            role: t.role,
            created_at: t.createdAt,
            expires_at: t.expiresAt,
            used_at: t.usedAt,
          })
          .execute();
      },
      async find(id) {
        const row = await db
          .selectFrom('one_time_tokens')
          .selectAll()
          .where('id', '=', id)
          .executeTakeFirst();
        return row && toToken(row);
      },
      async openInvitations(organisationId, now) {
        const rows = await db
          .selectFrom('one_time_tokens')
          .selectAll()
          .where('purpose', '=', 'invitation')
          .where('organisation_id', '=', organisationId)
          .where('used_at', 'is', null)
          .where('expires_at', '>', now)
          .orderBy('created_at', 'desc')
          .orderBy('id')
          .execute();
        return rows.map(toToken);
      },
      async use(id, usedAt) {
        const result = await db
          .updateTable('one_time_tokens')
          .set({ used_at: usedAt })
          .where('id', '=', id)
          .where('used_at', 'is', null)
          .executeTakeFirst();
        return Number(result.numUpdatedRows) === 1;
      },
    },
    outbox: {
      async insert(m) {
        await db
          .insertInto('outbox')
          .values({
            id: m.id,
            to_address: m.to,
            subject: m.subject,
            body: m.body,
            created_at: m.createdAt,
            sent_at: m.sentAt,
          })
          .execute();
      },
      async list() {
        const rows = await db.selectFrom('outbox').selectAll().execute();
        return rows
          .map((r) => ({
            id: r.id,
            to: r.to_address,
            subject: r.subject,
            body: r.body,
            createdAt: r.created_at,
            sentAt: r.sent_at,
          }))
          .sort((a, b) => (a.createdAt < b.createdAt ? 1 : a.createdAt > b.createdAt ? -1 : 0));
      },
    },
  };
}

function toApiToken(row: Selectable<ApiTokensTable>): ApiTokenRecord {
  return {
    id: row.id,
    organisationId: row.organisation_id,
    name: row.name,
    tokenHash: row.token_hash,
    createdBy: row.created_by,
    createdAt: row.created_at,
    revokedAt: row.revoked_at,
    lastUsedAt: row.last_used_at,
  };
}

function toUser(row: Selectable<UsersTable>): UserRecord {
  return {
    id: row.id,
    email: row.email,
    name: row.name,
    passwordHash: row.password_hash,
    platformRole: row.platform_role === 'operator' ? 'operator' : null,
    totpSecret: row.totp_secret,
    mfaEnrolledAt: row.mfa_enrolled_at,
    recoveryCodes: JSON.parse(row.recovery_codes) as string[],
    failedSignIns: Number(row.failed_sign_ins),
    lockedUntil: row.locked_until,
    createdAt: row.created_at,
    lastSignInAt: row.last_sign_in_at,
  };
}

function toToken(row: Selectable<OneTimeTokensTable>): OneTimeTokenRecord {
  return {
    id: row.id,
    purpose: row.purpose as OneTimeTokenRecord['purpose'],
    email: row.email,
    organisationId: row.organisation_id,
    role: row.role,
    createdAt: row.created_at,
    expiresAt: row.expires_at,
    usedAt: row.used_at,
  };
}
