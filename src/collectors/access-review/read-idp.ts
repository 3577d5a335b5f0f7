// Reads an identity-provider export into Accounts: Entra ID (Graph JSON, portal CSV), Okta (Users API
// JSON, admin CSV), Google Workspace (Directory API JSON, admin console CSV), SCIM 2.0, or any CSV through a
// column-mapping file. The format is recognised from the records themselves unless one is named.
import { readCsvRecords, requireColumn, type CsvColumns } from './csv-records.ts';
import { AccountTable, type TextColumn } from './account-table.ts';
import type { GenericMapping } from './generic-mapping.ts';
import { InputError, type OpenedInput } from './input-file.ts';
import { OBJECT, readJsonRecords, RecordFields, type RecordValues } from './json-records.ts';
import {
  CAPABILITIES,
  normaliseEmployeeNumber,
  type Account,
  type IdpFormat,
  type SourceCapabilities,
} from './model.ts';
import { accountKind, DayPool, isoDateKey, parseFlag, parseTime, text } from './parse-values.ts';

export interface IdpRead {
  format: IdpFormat;
  accounts: AccountTable;
  capabilities: SourceCapabilities;
}

/** Hands over the first chunk to look at, then every chunk again from the start. */
export async function peek(
  chunks: AsyncIterable<Buffer>,
): Promise<{ head: Buffer; all: AsyncIterable<Buffer> }> {
  const iterator = chunks[Symbol.asyncIterator]();
  const first = await iterator.next();
  const head = first.done ? Buffer.alloc(0) : first.value;
  async function* all(): AsyncGenerator<Buffer> {
    if (!first.done) yield first.value;
    for (;;) {
      const next = await iterator.next();
      if (next.done) return;
      yield next.value;
    }
  }
  return { head, all: all() };
}

export function looksLikeJson(head: Buffer): boolean {
  let t = head.toString('utf8', 0, Math.min(head.length, 256));
  if (t.charCodeAt(0) === 0xfeff) t = t.slice(1);
  const c = t.trimStart()[0];
  return c === '[' || c === '{';
}

/** Recognises a JSON identity export from its first record (and the key the records sit under). */
export function detectJsonFormat(
  record: Record<string, unknown>,
  container: string | null,
): IdpFormat | 'entra-mfa' | null {
  if ('isMfaRegistered' in record || 'methodsRegistered' in record) return 'entra-mfa';
  if ('userPrincipalName' in record) return 'entra-users';
  if ('primaryEmail' in record) return 'google-users';
  if ('userName' in record || (container === 'Resources' && 'schemas' in record)) return 'scim';
  if ('profile' in record && 'status' in record) return 'okta-users';
  return null;
}

export function detectCsvFormat(columns: CsvColumns): IdpFormat | null {
  if (columns.index('Email Address [Required]') !== -1) return 'google-csv';
  if (
    columns.index('userPrincipalName', 'User principal name') !== -1 &&
    columns.index('objectId', 'Object ID') !== -1
  )
    return 'entra-csv';
  if (
    columns.index('Username', 'Login') !== -1 &&
    columns.index('Status') !== -1 &&
    columns.index('Last Login') !== -1
  )
    return 'okta-csv';
  return null;
}

const JSON_FORMATS = new Set<IdpFormat>(['entra-users', 'okta-users', 'google-users', 'scim']);

const FORMAT_HELP =
  'name it with --format: entra-users, entra-csv, okta-users, okta-csv, google-users, google-csv, scim or generic-csv (with --mapping)';

export async function readIdp(
  input: OpenedInput,
  options: { format?: IdpFormat; mapping?: GenericMapping } = {},
): Promise<IdpRead> {
  const file = input.name;
  const { head, all } = await peek(input.chunks);
  const accounts = new AccountTable();
  // Only the creation day matters (an account made last week is not dormant), and days repeat: share them.
  const days = new DayPool();
  const keep = (account: Account) => {
    account.created = dayOf(account.created, days);
    accounts.push(account);
  };
  if (options.format === 'generic-csv' && !options.mapping)
    throw new InputError(file, null, 'the generic-csv format needs a column-mapping file (--mapping)');

  if (looksLikeJson(head)) {
    if (options.format && !JSON_FORMATS.has(options.format))
      throw new InputError(file, 1, `--format ${options.format} is a CSV format, but this file is JSON`);
    let format: IdpFormat | undefined = options.format;
    const seen = { signIn: false, groups: false };
    await readJsonRecords(all, file, (record, line, container, listen) => {
      const detected = detectJsonFormat(record, container);
      if (detected === 'entra-mfa')
        throw new InputError(
          file,
          line,
          'this is an Entra MFA registration report (userRegistrationDetails): give it with --mfa, and the users export with --idp',
        );
      format ??= detected ?? undefined;
      if (format === undefined)
        throw new InputError(
          file,
          line,
          `the records are not a users export this collector knows; ${FORMAT_HELP}`,
        );
      // The first record tells the format; from the second on, only the fields the format needs are read.
      const { fields, map } = JSON_MAPPERS[format as JsonFormat];
      const toAccount = map({ file, seen, days, keep, accounts });
      toAccount(fields.fromObject(record), line);
      listen({ fields, onFields: toAccount });
    });
    if (accounts.length === 0) throw new InputError(file, null, 'the export lists no accounts');
    const fmt = format!;
    const capabilities = { ...CAPABILITIES[fmt] };
    // Graph only returns signInActivity when it was asked for (and licensed); memberOf only when expanded.
    if (fmt === 'entra-users') capabilities.signIn = seen.signIn;
    capabilities.groups = capabilities.groups || seen.groups;
    return { format: fmt, accounts, capabilities };
  }

  if (options.format && JSON_FORMATS.has(options.format))
    throw new InputError(file, 1, `--format ${options.format} is a JSON format, but this file is not JSON`);
  // A mapping file only makes sense for the generic CSV, so it names the format by itself.
  let format: IdpFormat | undefined = options.format ?? (options.mapping ? 'generic-csv' : undefined);
  let capabilities: SourceCapabilities | undefined;
  await readCsvRecords(all, file, (columns) => {
    format ??= detectCsvFormat(columns) ?? undefined;
    if (format === undefined)
      throw new InputError(
        file,
        1,
        `the columns are not an export this collector knows (${columns.header.slice(0, 8).join(', ')}${columns.header.length > 8 ? ', ...' : ''}); ${FORMAT_HELP}`,
      );
    const built = csvMapper(format, columns, file, options.mapping);
    capabilities = built.capabilities;
    return (row, line) => keep(built.map(row, line));
  });
  if (accounts.length === 0) throw new InputError(file, null, 'the export lists no accounts');
  return { format: format!, accounts, capabilities: capabilities! };
}

type JsonFormat = 'entra-users' | 'okta-users' | 'google-users' | 'scim';

/**
 * What a mapper is given: the file for messages, what the export turned out to hold, the day pool, and where
 * its accounts go: `keep` for an Account, or the table itself for a mapper that copies text as bytes.
 */
interface MapContext {
  file: string;
  seen: { signIn: boolean; groups: boolean };
  days: DayPool;
  keep: (account: Account) => void;
  accounts: AccountTable;
}

/** A format's fields, by name, and how their values become an account kept. */
interface JsonMapper {
  fields: RecordFields;
  map(context: MapContext): (v: RecordValues, line: number) => void;
}

/**
 * Adds to `column` the text of `slot` as `text` reads it, or `otherwise` when there is none: copied as bytes
 * when it is plain, so that a million accounts make no strings for it.
 */
function putText(v: RecordValues, slot: number, column: TextColumn, otherwise: string | null): void {
  if (!v.copyPlainText(slot, column)) column.push(text(v.get(slot)) ?? otherwise);
}

/** A creation time kept to its day: JSON mappers mostly give the day (see createdDay), CSV ones the time. */
function dayOf(created: string | null, days: DayPool): string | null {
  return created !== null && created.length !== 10 ? days.day(isoDateKey(created, 0, 10)) : created;
}

/** A creation time as `parseTime` reads it, kept to its day; Graph's own form is read from the bytes. */
function createdDay(v: RecordValues, slot: number, { file, days }: MapContext, line: number, label: string) {
  const day = v.timeDay(slot);
  return day !== -1 ? days.day(day) : parseTime(v.get(slot), file, line, label);
}

/** A sign-in time as `parseTime` reads it; Graph's own form is read from the bytes, and shared when repeated. */
function signInTime(v: RecordValues, slot: number, file: string, line: number, label: string) {
  return v.canonicalTime(slot) ?? parseTime(v.get(slot), file, line, label);
}

/** Names the slots of a RecordFields: `at.mail` is where the value of `mail` is. */
function fieldsOf<K extends string>(paths: Record<K, string | [string, string]>) {
  const names = Object.keys(paths) as K[];
  const fields = new RecordFields(names.map((k) => paths[k]));
  const at = Object.fromEntries(names.map((k, i) => [k, i])) as Record<K, number>;
  return { fields, at };
}

function obj(value: unknown): Record<string, unknown> | undefined {
  return value !== null && typeof value === 'object' && !Array.isArray(value)
    ? (value as Record<string, unknown>)
    : undefined;
}

function need(value: string | null, file: string, line: number, field: string): string {
  if (value === null) throw new InputError(file, line, `this record has no ${field}`);
  return value;
}

function latest(...times: (string | null)[]): string | null {
  let best: string | null = null;
  for (const t of times) if (t !== null && (best === null || t > best)) best = t;
  return best;
}

const ENTRA = fieldsOf({
  id: 'id',
  login: 'userPrincipalName',
  displayName: 'displayName',
  mail: 'mail',
  userType: 'userType',
  employeeType: 'employeeType',
  enabled: 'accountEnabled',
  employeeId: 'employeeId',
  created: 'createdDateTime',
  memberOf: 'memberOf',
  activity: 'signInActivity',
  successful: ['signInActivity', 'lastSuccessfulSignInDateTime'],
  interactive: ['signInActivity', 'lastSignInDateTime'],
  nonInteractive: ['signInActivity', 'lastNonInteractiveSignInDateTime'],
});

const OKTA = fieldsOf({
  id: 'id',
  status: 'status',
  lastLogin: 'lastLogin',
  created: 'created',
  profile: 'profile',
  login: ['profile', 'login'],
  email: ['profile', 'email'],
  firstName: ['profile', 'firstName'],
  lastName: ['profile', 'lastName'],
  employeeNumber: ['profile', 'employeeNumber'],
  userType: ['profile', 'userType'],
});

const GOOGLE = fieldsOf({
  id: 'id',
  login: 'primaryEmail',
  externalIds: 'externalIds',
  isAdmin: 'isAdmin',
  isDelegatedAdmin: 'isDelegatedAdmin',
  name: 'name',
  fullName: ['name', 'fullName'],
  suspended: 'suspended',
  archived: 'archived',
  lastLogin: 'lastLoginTime',
  created: 'creationTime',
  enrolled: 'isEnrolledIn2Sv',
});

const SCIM_ENTERPRISE = 'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User';
const SCIM = fieldsOf({
  id: 'id',
  login: 'userName',
  enterprise: SCIM_ENTERPRISE,
  employeeNumber: [SCIM_ENTERPRISE, 'employeeNumber'],
  emails: 'emails',
  groups: 'groups',
  roles: 'roles',
  displayName: 'displayName',
  name: 'name',
  formatted: ['name', 'formatted'],
  active: 'active',
  userType: 'userType',
  meta: 'meta',
  created: ['meta', 'created'],
});

const JSON_MAPPERS: Record<JsonFormat, JsonMapper> = {
  'entra-users': {
    fields: ENTRA.fields,
    map: (context) => {
      const { file, seen, accounts } = context;
      const at = ENTRA.at;
      return (v, line) => {
        // The login's bytes are copied before its string is read (which would leave no bytes to copy); a
        // record without one stops the read, table and all.
        const copied = v.copyPlainText(at.login, accounts.logins);
        const login = need(text(v.get(at.login)), file, line, 'userPrincipalName');
        if (!copied) accounts.logins.push(login);
        const enabled = parseFlag(v.get(at.enabled), file, line, 'accountEnabled');
        if (enabled === null)
          throw new InputError(
            file,
            line,
            'this user has no accountEnabled: export with $select including accountEnabled',
          );
        const activity = v.get(at.activity) === OBJECT;
        if (v.get(at.activity) !== undefined) seen.signIn = true;
        // lastSuccessfulSignInDateTime exists only from December 2023; before that, the latest attempt of any kind.
        const successful = activity
          ? signInTime(v, at.successful, file, line, 'lastSuccessfulSignInDateTime')
          : null;
        const lastSignIn =
          successful ??
          (activity
            ? latest(
                signInTime(v, at.interactive, file, line, 'lastSignInDateTime'),
                signInTime(v, at.nonInteractive, file, line, 'lastNonInteractiveSignInDateTime'),
              )
            : null);
        let groups: string[] | null = null;
        const memberOf = v.get(at.memberOf);
        if (Array.isArray(memberOf)) {
          seen.groups = true;
          groups = memberOf
            .map((g) => text(obj(g)?.displayName) ?? text(obj(g)?.id) ?? '')
            .filter((g) => g !== '');
        }
        const kind = accountKind(login, text(v.get(at.userType)) ?? text(v.get(at.employeeType)));
        const created = dayOf(createdDay(v, at.created, context, line, 'createdDateTime'), context.days);
        putText(v, at.id, accounts.ids, login);
        putText(v, at.mail, accounts.emails, null);
        putText(v, at.displayName, accounts.displayNames, login);
        // An employee number already as normaliseEmployeeNumber leaves it (most are) is copied as bytes.
        if (!v.copyPlainText(at.employeeId, accounts.employeeNumbers, true))
          accounts.employeeNumbers.push(normaliseEmployeeNumber(text(v.get(at.employeeId))));
        accounts.pushOthers({
          enabled,
          kind,
          privileged: null,
          lastSignIn,
          created,
          mfa: null,
          groups,
          line,
        });
      };
    },
  },

  'okta-users': {
    fields: OKTA.fields,
    map: (context) => {
      const { file, keep } = context;
      const at = OKTA.at;
      return (v, line) => {
        const profile = v.get(at.profile) === OBJECT;
        const p = (slot: number) => (profile ? v.get(slot) : undefined);
        const login = need(text(p(at.login)), file, line, 'profile.login');
        const status = need(text(v.get(at.status)), file, line, 'status').toUpperCase();
        const name = [text(p(at.firstName)), text(p(at.lastName))].filter(Boolean).join(' ');
        keep({
          id: text(v.get(at.id)) ?? login,
          login,
          email: text(p(at.email)),
          displayName: name || login,
          employeeNumber: normaliseEmployeeNumber(text(p(at.employeeNumber))),
          enabled: oktaEnabled(status),
          kind: accountKind(login, text(p(at.userType))),
          privileged: null,
          lastSignIn: parseTime(v.get(at.lastLogin), file, line, 'lastLogin'),
          created: createdDay(v, at.created, context, line, 'created'),
          mfa: null,
          groups: null,
          line,
        });
      };
    },
  },

  'google-users': {
    fields: GOOGLE.fields,
    map: (context) => {
      const { file, keep } = context;
      const at = GOOGLE.at;
      return (v, line) => {
        const login = need(text(v.get(at.login)), file, line, 'primaryEmail');
        const externalIds = Array.isArray(v.get(at.externalIds))
          ? (v.get(at.externalIds) as unknown[]).map(obj)
          : [];
        const employeeId = externalIds.find((x) => text(x?.type) === 'organization');
        const admin = parseFlag(v.get(at.isAdmin), file, line, 'isAdmin');
        const delegated = parseFlag(v.get(at.isDelegatedAdmin), file, line, 'isDelegatedAdmin');
        keep({
          id: text(v.get(at.id)) ?? login,
          login,
          email: login,
          displayName: (v.get(at.name) === OBJECT ? text(v.get(at.fullName)) : null) ?? login,
          employeeNumber: normaliseEmployeeNumber(text(employeeId?.value)),
          enabled: v.get(at.suspended) !== true && v.get(at.archived) !== true,
          kind: accountKind(login, null),
          privileged: admin === null && delegated === null ? null : admin === true || delegated === true,
          // 1970-01-01T00:00:00.000Z is Google's "never": parseTime gives null for it.
          lastSignIn: parseTime(v.get(at.lastLogin), file, line, 'lastLoginTime'),
          created: createdDay(v, at.created, context, line, 'creationTime'),
          mfa: parseFlag(v.get(at.enrolled), file, line, 'isEnrolledIn2Sv'),
          groups: null,
          line,
        });
      };
    },
  },

  scim: {
    fields: SCIM.fields,
    map: (context) => {
      const { file, keep } = context;
      const at = SCIM.at;
      return (v, line) => {
        const login = need(text(v.get(at.login)), file, line, 'userName');
        const list = (slot: number) =>
          Array.isArray(v.get(slot)) ? (v.get(slot) as unknown[]).map(obj) : [];
        const emails = list(at.emails);
        const email = text((emails.find((e) => e?.primary === true) ?? emails[0])?.value);
        const groups = list(at.groups)
          .map((g) => text(g?.display) ?? text(g?.value) ?? '')
          .filter((g) => g !== '');
        const roles = list(at.roles).map((x) => text(x?.value) ?? '');
        keep({
          id: text(v.get(at.id)) ?? login,
          login,
          email,
          displayName:
            text(v.get(at.displayName)) ??
            (v.get(at.name) === OBJECT ? text(v.get(at.formatted)) : null) ??
            login,
          employeeNumber: normaliseEmployeeNumber(
            v.get(at.enterprise) === OBJECT ? text(v.get(at.employeeNumber)) : null,
          ),
          // RFC 7643 makes `active` optional; a server that leaves it out is not saying the account is disabled.
          enabled: v.get(at.active) !== false,
          kind: accountKind(login, text(v.get(at.userType))),
          privileged: roles.length > 0 ? roles.some((x) => /admin/i.test(x)) : null,
          lastSignIn: null,
          created:
            v.get(at.meta) === OBJECT ? createdDay(v, at.created, context, line, 'meta.created') : null,
          mfa: null,
          groups: [...groups, ...roles.filter((x) => x !== '')],
          line,
        });
      };
    },
  },
};

/** Okta statuses in which nobody can sign in: deprovisioned, suspended, or created but never activated. */
const OKTA_DISABLED = new Set(['DEPROVISIONED', 'SUSPENDED', 'STAGED']);

function oktaEnabled(status: string): boolean {
  return !OKTA_DISABLED.has(status);
}

function csvMapper(
  format: IdpFormat,
  columns: CsvColumns,
  file: string,
  mapping: GenericMapping | undefined,
): { capabilities: SourceCapabilities; map: (row: string[], line: number) => Account } {
  const col = (...names: string[]) => columns.index(...names);
  const cell = (row: string[], at: number) => (at === -1 ? null : text(row[at]));
  const base = (row: string[], line: number, login: string, extra: Partial<Account>): Account => ({
    id: login,
    login,
    email: null,
    displayName: login,
    employeeNumber: null,
    enabled: true,
    kind: 'member',
    privileged: null,
    lastSignIn: null,
    created: null,
    mfa: null,
    groups: null,
    line,
    ...extra,
  });

  switch (format) {
    case 'entra-csv': {
      const upn = requireColumn(columns, file, 'user principal name', [
        'userPrincipalName',
        'User principal name',
      ]);
      const enabled = requireColumn(columns, file, 'account enabled', [
        'accountEnabled',
        'Account enabled',
        'Block sign in',
      ]);
      const blockSignIn = columns.header[enabled]?.toLowerCase().includes('block') ?? false;
      const [id, name, mail, type, emp, created] = [
        col('objectId', 'Object ID'),
        col('displayName', 'Display name'),
        col('mail', 'Email'),
        col('userType', 'User type'),
        col('employeeId', 'Employee ID'),
        col('createdDateTime', 'Creation time'),
      ];
      return {
        capabilities: CAPABILITIES['entra-csv'],
        map(row, line) {
          const login = need(cell(row, upn), file, line, 'userPrincipalName');
          const flag = parseFlag(row[enabled], file, line, columns.header[enabled]!);
          return base(row, line, login, {
            id: cell(row, id) ?? login,
            email: cell(row, mail),
            displayName: cell(row, name) ?? login,
            employeeNumber: normaliseEmployeeNumber(cell(row, emp)),
            enabled: blockSignIn ? flag !== true : flag !== false,
            kind: accountKind(login, cell(row, type)),
            created: parseTime(cell(row, created), file, line, 'createdDateTime'),
          });
        },
      };
    }
    case 'okta-csv': {
      const user = requireColumn(columns, file, 'username', ['Username', 'Login']);
      const status = requireColumn(columns, file, 'status', ['Status']);
      const last = requireColumn(columns, file, 'last login', ['Last Login']);
      const [mail, first, lastName, emp, created, id] = [
        col('Primary email', 'Email'),
        col('First name'),
        col('Last name'),
        col('Employee number', 'Employee ID'),
        col('Created'),
        col('User ID', 'Id'),
      ];
      return {
        capabilities: CAPABILITIES['okta-csv'],
        map(row, line) {
          const login = need(cell(row, user), file, line, 'Username');
          const name = [cell(row, first), cell(row, lastName)].filter(Boolean).join(' ');
          return base(row, line, login, {
            id: cell(row, id) ?? login,
            email: cell(row, mail),
            displayName: name || login,
            employeeNumber: normaliseEmployeeNumber(cell(row, emp)),
            enabled: oktaEnabled((cell(row, status) ?? '').toUpperCase().replace(/\s+/g, '_')),
            kind: accountKind(login, null),
            lastSignIn: parseTime(cell(row, last), file, line, 'Last Login'),
            created: parseTime(cell(row, created), file, line, 'Created'),
          });
        },
      };
    }
    case 'google-csv': {
      const email = requireColumn(columns, file, 'e-mail address', ['Email Address [Required]']);
      const status = requireColumn(columns, file, 'status', ['Status [READ ONLY]']);
      const last = requireColumn(columns, file, 'last sign-in', ['Last Sign In [READ ONLY]']);
      const enrolled = requireColumn(columns, file, '2-step verification', [
        '2sv Enrollment Status [READ ONLY]',
      ]);
      const [first, lastName, emp] = [
        col('First Name [Required]'),
        col('Last Name [Required]'),
        col('Employee ID'),
      ];
      return {
        capabilities: CAPABILITIES['google-csv'],
        map(row, line) {
          const login = need(cell(row, email), file, line, 'Email Address');
          const name = [cell(row, first), cell(row, lastName)].filter(Boolean).join(' ');
          return base(row, line, login, {
            email: login,
            displayName: name || login,
            employeeNumber: normaliseEmployeeNumber(cell(row, emp)),
            enabled: parseFlag(cell(row, status), file, line, 'Status') !== false,
            kind: accountKind(login, null),
            lastSignIn: parseTime(cell(row, last), file, line, 'Last Sign In'),
            mfa: parseFlag(cell(row, enrolled), file, line, '2sv Enrollment Status'),
          });
        },
      };
    }
    case 'generic-csv': {
      const m = mapping!.columns;
      const at = (field: keyof typeof m) => {
        const name = m[field];
        return name === undefined ? -1 : requireColumn(columns, file, `${field} (from the mapping)`, [name]);
      };
      const idx = {
        login: at('login'),
        id: at('id'),
        email: at('email'),
        name: at('name'),
        employeeNumber: at('employeeNumber'),
        enabled: at('enabled'),
        lastSignIn: at('lastSignIn'),
        created: at('created'),
        mfa: at('mfa'),
        privileged: at('privileged'),
        groups: at('groups'),
        type: at('type'),
      };
      const separator = mapping!.groupSeparator;
      return {
        capabilities: {
          signIn: idx.lastSignIn !== -1,
          mfa: idx.mfa !== -1,
          privileged: idx.privileged !== -1,
          groups: idx.groups !== -1,
        },
        map(row, line) {
          const login = need(cell(row, idx.login), file, line, m.login);
          const groups = cell(row, idx.groups);
          return base(row, line, login, {
            id: cell(row, idx.id) ?? login,
            email: cell(row, idx.email),
            displayName: cell(row, idx.name) ?? login,
            employeeNumber: normaliseEmployeeNumber(cell(row, idx.employeeNumber)),
            enabled:
              idx.enabled === -1 ? true : parseFlag(row[idx.enabled], file, line, m.enabled!) !== false,
            kind: accountKind(login, cell(row, idx.type)),
            privileged:
              idx.privileged === -1 ? null : parseFlag(row[idx.privileged], file, line, m.privileged!),
            lastSignIn:
              idx.lastSignIn === -1 ? null : parseTime(cell(row, idx.lastSignIn), file, line, m.lastSignIn!),
            created: idx.created === -1 ? null : parseTime(cell(row, idx.created), file, line, m.created!),
            mfa: idx.mfa === -1 ? null : parseFlag(row[idx.mfa], file, line, m.mfa!),
            groups:
              idx.groups === -1
                ? null
                : (groups ?? '')
                    .split(separator)
                    .map((g) => g.trim())
                    .filter(Boolean),
          });
        },
      };
    }
    default:
      throw new InputError(file, 1, `--format ${format} is a JSON format, but this file is CSV`);
  }
}
