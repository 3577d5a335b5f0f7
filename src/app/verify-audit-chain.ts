// Walks the whole audit chain and reports the first event whose hash or link does not hold.
import { AuditChainVerifier, type ChainBreak } from '../domain/audit-chain.ts';
import { failure, success, type Result } from '../domain/result.ts';
import type { Actor } from './actor.ts';
import type { Deps } from './ports.ts';

export async function verifyAuditChain(
  deps: Pick<Deps, 'store'>,
  actor: Actor,
): Promise<Result<{ events: number; intact: true } | { events: number; intact: false; break: ChainBreak }>> {
  // The chain spans every organisation, so only an operator may walk it.
  if (actor.kind !== 'operator')
    return failure('forbidden', 'only an operator can verify the whole audit chain');
  const verifier = new AuditChainVerifier();
  for await (const event of deps.store.audit.all()) {
    const broken = verifier.check(event);
    if (broken) return success({ events: verifier.count, intact: false, break: broken });
  }
  return success({ events: verifier.count, intact: true });
}
