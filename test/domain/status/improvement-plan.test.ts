import { describe, expect, test } from 'vitest';
import { computeStatus } from '../../../src/domain/status/compute-status.ts';
import { draftImprovementPlan } from '../../../src/domain/status/improvement-plan.ts';
import {
  AT,
  aCatalogue,
  cafAtProfile,
  metResponses,
  outcomeResponse,
} from '../../support/catalogue-builder.ts';

const catalogue = aCatalogue();
const gp = { type: 'gp-practice', certifications: [] };

describe('draftImprovementPlan', () => {
  test('drafts one action per unmet mandatory item with its gap and the catalogue suggestion', () => {
    const status = computeStatus({
      catalogue,
      organisation: gp,
      responses: metResponses({ '1.1.1': null, '3.2.1': { metric: 90 } }),
      at: AT,
    });
    const plan = draftImprovementPlan(status, catalogue, [], { owner: 'Jo Bloggs', dueDate: '2026-12-31' });
    expect(plan).toEqual([
      {
        targetId: '1.1.1',
        gap: 'not answered yet',
        action: 'Do what 1.1.1 asks.',
        owner: 'Jo Bloggs',
        dueDate: '2026-12-31',
      },
      {
        targetId: '3.2.1',
        gap: 'the share of staff trained is 90%; at least 95% is needed',
        action: 'Do what 3.2.1 asks.',
        owner: 'Jo Bloggs',
        dueDate: '2026-12-31',
      },
    ]);
  });

  test('keeps what the user wrote for targets still unmet and drops targets now met', () => {
    const status = computeStatus({
      catalogue,
      organisation: gp,
      responses: metResponses({ '1.1.1': null }),
      at: AT,
    });
    const existing = [
      { targetId: '1.1.1', gap: 'old', action: 'Register with the ICO this week', owner: 'Practice manager' },
      { targetId: '4.2.4', gap: 'old', action: 'Remove leavers', owner: 'IT' },
    ];
    expect(
      draftImprovementPlan(status, catalogue, existing, { owner: 'Default', dueDate: '2026-09-01' }),
    ).toEqual([
      {
        targetId: '1.1.1',
        gap: 'not answered yet',
        action: 'Register with the ICO this week',
        owner: 'Practice manager',
        dueDate: '2026-09-01',
      },
    ]);
  });

  test('an outcome below profile gets an action naming the indicators to make true', () => {
    const outcomeResponses = cafAtProfile().map((r) =>
      r.outcomeId === 'B1.a' ? outcomeResponse('B1.a', 'B1.a.A.1') : r,
    );
    const status = computeStatus({
      catalogue,
      organisation: { type: 'nhs-trust', certifications: [] },
      responses: [],
      outcomeResponses,
      at: AT,
    });
    const [action] = draftImprovementPlan(status, catalogue, []);
    expect(action?.targetId).toBe('B1.a');
    expect(action?.action).toContain('B1.a.A.1, B1.a.A.2, B1.a.A.3');
    expect(action?.gap).toContain('the profile expects Achieved');
    expect(action?.owner).toBeUndefined();
  });
});
