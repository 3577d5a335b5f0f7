// The outbox: e-mails openDSPT has written (invitations, resets), for operators to read when no SMTP server
// is configured.
import { failure, success, type Result } from '../domain/result.ts';
import type { AccountDeps } from './account-deps.ts';
import type { OutboxMessage } from './account-ports.ts';
import type { Actor } from './actor.ts';

export async function readOutbox(deps: AccountDeps, actor: Actor): Promise<Result<OutboxMessage[]>> {
  // Messages hold one-time links for other people, so only operators read them.
  if (actor.kind !== 'operator') return failure('forbidden', 'only operators can read the outbox');
  return success(await deps.store.accounts.outbox.list());
}
