// Builders for access reviews: one from the Entra fixtures (13 enabled accounts in three reviewer tasks), and
// exports of any size written to a temporary folder, for the pages that must not list every account at once.
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { Actor } from '../../src/app/actor.ts';
import type { Deps } from '../../src/app/ports.ts';
import { runAccessReview, type StartedAccessReview } from '../../src/app/run-access-review.ts';
import { collectAccessReview, type CollectFiles } from '../../src/collectors/access-review/collect.ts';
import { DEFAULT_POLICY } from '../../src/collectors/access-review/model.ts';

export const ACCESS_REVIEW_FIXTURES = path.resolve(import.meta.dirname, '../fixtures/access-review');
export const REVIEW_DATE = '2026-05-31';

/** The Entra users, MFA, HR and training fixtures, as the CLI reads them. */
export const ENTRA_FILES: CollectFiles = {
  idp: path.join(ACCESS_REVIEW_FIXTURES, 'entra-users.json'),
  mfa: path.join(ACCESS_REVIEW_FIXTURES, 'entra-mfa.json'),
  hr: path.join(ACCESS_REVIEW_FIXTURES, 'hr.csv'),
  training: path.join(ACCESS_REVIEW_FIXTURES, 'training.csv'),
};

async function started(
  deps: Deps,
  actor: Actor,
  odsCode: string,
  files: CollectFiles,
): Promise<StartedAccessReview> {
  const collected = await collectAccessReview(files, { policy: { ...DEFAULT_POLICY, at: REVIEW_DATE } });
  if (!collected.ok) throw new Error(`${collected.error.where}: ${collected.error.message}`);
  const run = await runAccessReview(deps, actor, {
    odsCode,
    collected: collected.value,
    assetOwner: 'Dr Asha Patel (IAO)',
  });
  if (!run.ok) throw new Error(run.error.message);
  return run.value;
}

/** A review of the Entra fixtures: task 1 (the asset owner) has 6 accounts, task 2 has 4, task 3 has 3. */
export function anAccessReview(deps: Deps, actor: Actor, odsCode: string): Promise<StartedAccessReview> {
  return started(deps, actor, odsCode, ENTRA_FILES);
}

/**
 * A review of `staff` people who all report to one manager, so they land in one task: every seventh account has
 * no MFA registered (a finding), the rest are clean. The manager's own account goes to the asset owner.
 */
export async function aLargeAccessReview(
  deps: Deps,
  actor: Actor,
  odsCode: string,
  staff: number,
): Promise<StartedAccessReview> {
  const dir = await mkdtemp(path.join(tmpdir(), 'dspt-large-review-'));
  try {
    const people = Array.from({ length: staff }, (_, i) => {
      const n = String(i + 1).padStart(5, '0');
      return { n: `E${n}`, email: `person.${n}@riverside.nhs.uk`, name: `Person ${n}`, mfa: i % 7 !== 3 };
    });
    const hr = [
      'Employee Number,Email,Full Name,Status,Start Date,Leave Date,Job Role,Department,Line Manager',
      'M0001,manager@riverside.nhs.uk,Morgan Manager,Active,2015-01-01,,Practice Manager,Administration,',
      ...people.map(
        (p) => `${p.n},${p.email},${p.name},Active,2020-01-01,,Receptionist,Administration,M0001`,
      ),
    ];
    const everyone = [
      { n: 'M0001', email: 'manager@riverside.nhs.uk', name: 'Morgan Manager', mfa: true },
      ...people,
    ];
    const users = everyone.map((p, i) => ({
      id: `00000000-0000-4000-8000-${String(i).padStart(12, '0')}`,
      userPrincipalName: p.email,
      displayName: p.name,
      mail: p.email,
      userType: 'Member',
      accountEnabled: true,
      employeeId: p.n,
      createdDateTime: '2020-01-01T09:00:00Z',
      signInActivity: { lastSuccessfulSignInDateTime: '2026-05-30T08:00:00Z' },
    }));
    const mfa = everyone.map((p) => ({
      userPrincipalName: p.email,
      isMfaRegistered: p.mfa,
      isAdmin: false,
      methodsRegistered: p.mfa ? ['microsoftAuthenticatorPush'] : [],
    }));
    const files: CollectFiles = {
      idp: path.join(dir, 'users.json'),
      mfa: path.join(dir, 'mfa.json'),
      hr: path.join(dir, 'hr.csv'),
    };
    await writeFile(files.idp, JSON.stringify({ value: users }));
    await writeFile(files.mfa!, JSON.stringify({ value: mfa }));
    await writeFile(files.hr, `${hr.join('\n')}\n`);
    return await started(deps, actor, odsCode, files);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
