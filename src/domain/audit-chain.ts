// The audit trail is a hash chain: each event's hash covers its own content and the hash of the event before,
// so altering, removing or reordering any stored event breaks every hash after it.
import { canonicalJson, sha256Hex } from './canonical-json.ts';

export const GENESIS_HASH = '0'.repeat(64);

export interface AuditEventContent {
  seq: number;
  at: string;
  actor: string;
  action: string;
  organisationId: string | null;
  subject: string;
  /** Canonical JSON of the event's details. */
  details: string;
}

export interface AuditEvent extends AuditEventContent {
  prevHash: string;
  hash: string;
}

export function hashAuditEvent(content: AuditEventContent, prevHash: string): string {
  return sha256Hex(
    canonicalJson({
      seq: content.seq,
      at: content.at,
      actor: content.actor,
      action: content.action,
      organisationId: content.organisationId,
      subject: content.subject,
      details: content.details,
      prevHash,
    }),
  );
}

export type ChainBreak = { seq: number; reason: string };

/**
 * Checks events in order of `seq`, one at a time, so a chain of any length can be verified as a stream.
 * Returns the first break, or undefined when every link holds.
 */
export class AuditChainVerifier {
  private prevHash = GENESIS_HASH;
  private expectedSeq = 1;
  count = 0;

  check(event: AuditEvent): ChainBreak | undefined {
    if (event.seq !== this.expectedSeq)
      return {
        seq: event.seq,
        reason: `expected event ${this.expectedSeq} next; one is missing or out of order`,
      };
    if (event.prevHash !== this.prevHash)
      return { seq: event.seq, reason: 'its link to the previous event does not match that event' };
    if (hashAuditEvent(event, event.prevHash) !== event.hash)
      return {
        seq: event.seq,
        reason: 'its content does not match its hash: it was changed after it was written',
      };
    this.prevHash = event.hash;
    this.expectedSeq += 1;
    this.count += 1;
    return undefined;
  }
}
