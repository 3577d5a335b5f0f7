// What the use cases need from the outside world. `infra` implements these; `app` never sees SQL or files.
import type { AssessmentCache } from './assessment-cache.ts';
import type { AuditEvent } from '../domain/audit-chain.ts';
import type {
  Certification,
  IsoDate,
  ItemResponse,
  OutcomeResponse,
  PlanAction,
} from '../domain/assessment.ts';
import type { DrTestStore } from './dr-test-ports.ts';
import type { Catalogue } from '../domain/catalogue/model.ts';
import type { AccountStore } from './account-ports.ts';
import type { AccessReviewStore } from './access-review-ports.ts';
import type { OsvStore } from './osv-ports.ts';

export type Role = 'administrator' | 'contributor' | 'approver' | 'auditor' | 'viewer';
export const ROLES: readonly Role[] = ['administrator', 'contributor', 'approver', 'auditor', 'viewer'];

export interface OrganisationRecord {
  id: string;
  odsCode: string;
  name: string;
  type: string;
  icoNumber: string | null;
  certifications: Certification[];
  createdAt: string;
  /**
   * Raised by the store whenever anything behind the organisation's assessment changes (answers, evidence,
   * the plan, publications); present on records read from the store. Equal revisions mean equal data.
   */
  revision?: number;
}

export interface MemberRecord {
  id: string;
  organisationId: string;
  email: string;
  name: string;
  role: Role;
  createdAt: string;
}

export interface AssessmentRecord {
  id: string;
  organisationId: string;
  year: string;
  createdAt: string;
  planApprovedBy: string | null;
  planApprovedAt: string | null;
}

export interface StoredResponse extends ItemResponse {
  answeredBy: string;
  answeredAt: string;
}

export interface StoredOutcomeResponse extends OutcomeResponse {
  answeredBy: string;
  answeredAt: string;
}

export type EvidenceKind = 'file' | 'text' | 'link' | 'collector-run';

export interface EvidenceRecord {
  id: string;
  organisationId: string;
  kind: EvidenceKind;
  title: string;
  fileName: string | null;
  mediaType: string | null;
  size: number | null;
  sha256: string;
  effectiveDate: IsoDate;
  /** Where the encrypted bytes are kept in the evidence store; null for text and links. */
  storageKey: string | null;
  createdBy: string;
  createdAt: string;
}

export interface EvidenceLinkRecord {
  evidenceId: string;
  assessmentId: string;
  itemId: string;
}

export type PublicationKind = 'baseline' | 'final' | 'republish';

export interface PublicationRecord {
  id: string;
  assessmentId: string;
  kind: PublicationKind;
  status: string;
  /** Canonical JSON of everything published; `sha256` is its hash. */
  snapshot: string;
  sha256: string;
  signerName: string;
  signerRole: string;
  declaration: string;
  publishedAt: string;
}

export interface PlanActionRecord extends PlanAction {
  id: string;
  assessmentId: string;
  createdAt: string;
  updatedAt: string;
}

/** A file a collector read, identified by its content. */
export interface CollectorInput {
  name: string;
  size: number;
  sha256: string;
}

/** What a collector run says about one evidence item or CAF outcome it supports. */
export interface CollectorVerdict {
  targetId: string;
  verdict: 'supports' | 'gap' | 'not-determinable';
  summary: string;
}

export interface CollectorRunRecord {
  id: string;
  organisationId: string;
  /** `access-review`, `vulnerabilities`, `data-map`, `dr-test`. */
  kind: string;
  effectiveDate: IsoDate;
  inputs: CollectorInput[];
  metrics: Record<string, number>;
  verdicts: CollectorVerdict[];
  summary: string;
  reportEvidenceId: string;
  htmlEvidenceId: string;
  createdBy: string;
  createdAt: string;
}

export interface AuditEventInput {
  actor: string;
  action: string;
  organisationId: string | null;
  subject: string;
  details?: Record<string, unknown>;
}

export interface Store {
  /** Runs `work` in one database transaction: everything it writes lands, or nothing does. */
  transaction<T>(work: (tx: Store) => Promise<T>): Promise<T>;
  organisations: {
    insert(org: OrganisationRecord): Promise<void>;
    findByOds(odsCode: string): Promise<OrganisationRecord | undefined>;
    findById(id: string): Promise<OrganisationRecord | undefined>;
    list(): Promise<OrganisationRecord[]>;
  };
  members: {
    insert(member: MemberRecord): Promise<void>;
    listByOrganisation(organisationId: string): Promise<MemberRecord[]>;
  };
  assessments: {
    find(organisationId: string, year: string): Promise<AssessmentRecord | undefined>;
    insert(assessment: AssessmentRecord): Promise<void>;
    setPlanApproval(id: string, approvedBy: string | null, approvedAt: string | null): Promise<void>;
  };
  responses: {
    upsert(assessmentId: string, response: StoredResponse): Promise<void>;
    list(assessmentId: string): Promise<StoredResponse[]>;
    remove(assessmentId: string, itemId: string): Promise<void>;
  };
  outcomeResponses: {
    upsert(assessmentId: string, response: StoredOutcomeResponse): Promise<void>;
    list(assessmentId: string): Promise<StoredOutcomeResponse[]>;
  };
  evidence: {
    insert(evidence: EvidenceRecord): Promise<void>;
    findById(organisationId: string, id: string): Promise<EvidenceRecord | undefined>;
    findBySha256(organisationId: string, sha256: string): Promise<EvidenceRecord | undefined>;
    link(link: EvidenceLinkRecord): Promise<void>;
    /** Every link of an assessment, with the evidence's effective date. */
    listLinks(
      assessmentId: string,
    ): Promise<(EvidenceLinkRecord & { effectiveDate: IsoDate; sha256: string })[]>;
  };
  publications: {
    insert(publication: PublicationRecord): Promise<void>;
    list(assessmentId: string): Promise<PublicationRecord[]>;
  };
  planActions: {
    /** Replaces the assessment's whole plan with `actions`. */
    replaceAll(assessmentId: string, actions: PlanActionRecord[]): Promise<void>;
    list(assessmentId: string): Promise<PlanActionRecord[]>;
  };
  drTests: DrTestStore;
  collectorRuns: {
    insert(run: CollectorRunRecord): Promise<void>;
    findById(organisationId: string, id: string): Promise<CollectorRunRecord | undefined>;
    /** The organisation's runs of one kind, newest effective date first. */
    list(organisationId: string, kind: string): Promise<CollectorRunRecord[]>;
  };
  accounts: AccountStore;
  accessReviews: AccessReviewStore;
  /** The OSV index that vulnerability scans match against. */
  osv: OsvStore;
  audit: {
    /** Appends an event to the chain; concurrent appenders are serialised so the chain never forks. */
    append(event: AuditEventInput): Promise<AuditEvent>;
    /** Every event in order of `seq`, read in pages so that long chains stream. */
    all(pageSize?: number): AsyncIterable<AuditEvent>;
  };
  close(): Promise<void>;
}

/** Encrypted, content-addressed storage for evidence files. */
export interface EvidenceBlobStore {
  /** Encrypts and stores the bytes; returns the storage key and the SHA-256 of the plain bytes. */
  put(bytes: Uint8Array): Promise<{ storageKey: string; sha256: string; size: number }>;
  get(storageKey: string): Promise<Uint8Array>;
}

export interface Clock {
  now(): Date;
}

/** What every use case receives. */
export interface Deps {
  store: Store;
  blobs: EvidenceBlobStore;
  catalogue: Catalogue;
  clock: Clock;
  /** Assessments as last read, reused by readers while the organisation's revision is unchanged. */
  assessmentCache?: AssessmentCache;
}
