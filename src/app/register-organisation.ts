// Registers an organisation: ODS code, name, type (which sets category and track), ICO number, certifications.
import { randomUUID } from 'node:crypto';
import type { Certification } from '../domain/assessment.ts';
import { isIsoDate } from '../domain/dates.ts';
import { failure, success, type Result } from '../domain/result.ts';
import { actorName, type Actor } from './actor.ts';
import type { Deps, OrganisationRecord } from './ports.ts';

/** ODS codes are 3 to 10 letters and digits (A81001, RXX, 8HK12, RXX01). */
export const ODS_CODE = /^[A-Z0-9]{3,10}$/;

export interface RegisterOrganisationInput {
  odsCode: string;
  name: string;
  type: string;
  icoNumber?: string;
  certifications?: Certification[];
}

export async function registerOrganisation(
  deps: Deps,
  actor: Actor,
  input: RegisterOrganisationInput,
): Promise<Result<OrganisationRecord>> {
  if (actor.kind !== 'operator') return failure('forbidden', 'only an operator can register an organisation');
  const odsCode = input.odsCode.trim().toUpperCase();
  if (!ODS_CODE.test(odsCode))
    return failure(
      'bad-input',
      `"${input.odsCode}" is not an ODS code: expected 3 to 10 letters and digits, such as A81001`,
      '--ods',
    );
  const name = input.name.trim();
  if (name === '') return failure('bad-input', 'expected the organisation name', '--name');
  const type = deps.catalogue.organisationTypes.get(input.type);
  if (!type)
    return failure(
      'bad-input',
      `unknown organisation type "${input.type}"; expected one of: ${[...deps.catalogue.organisationTypes.keys()].join(', ')}`,
      '--type',
    );
  const icoNumber = input.icoNumber?.trim().toUpperCase() || null;
  if (icoNumber !== null && !/^(Z[A-Z]?\d{6,7}|[A-Z]{2}\d{6})$/.test(icoNumber))
    return failure(
      'bad-input',
      `"${input.icoNumber}" is not an ICO registration number: expected, for example, ZA123456`,
      '--ico',
    );
  const kinds = new Set(deps.catalogue.certifications.map((c) => c.id));
  for (const [i, cert] of (input.certifications ?? []).entries()) {
    const where = `certification ${i + 1}`;
    if (!kinds.has(cert.kind))
      return failure(
        'bad-input',
        `unknown certification "${cert.kind}"; expected one of: ${[...kinds].join(', ')}`,
        where,
      );
    if (cert.number.trim() === '') return failure('bad-input', 'expected the certificate number', where);
    if (!isIsoDate(cert.expires))
      return failure('bad-input', `expiry "${cert.expires}" is not a date: expected YYYY-MM-DD`, where);
  }

  const org: OrganisationRecord = {
    id: randomUUID(),
    odsCode,
    name,
    type: type.id,
    icoNumber,
    certifications: input.certifications ?? [],
    createdAt: deps.clock.now().toISOString(),
  };
  return deps.store.transaction(async (tx) => {
    if (await tx.organisations.findByOds(odsCode))
      return failure('conflict', `an organisation with ODS code ${odsCode} is already registered`, '--ods');
    await tx.organisations.insert(org);
    await tx.audit.append({
      actor: actorName(actor),
      action: 'organisation.registered',
      organisationId: org.id,
      subject: odsCode,
      details: {
        name,
        type: type.id,
        category: type.category,
        icoNumber,
        certifications: org.certifications,
      },
    });
    return success(org);
  });
}
