// The home page: what openDSPT is, this year's deadlines, and the one thing to do first.
import type { FastifyInstance } from 'fastify';
import type { AccountDeps } from '../../app/account-deps.ts';
import { listOrganisations } from '../../app/list-organisations.ts';
import type { Catalogue } from '../../domain/catalogue/model.ts';
import { actorOf, fullySignedIn } from '../set-up-sessions.ts';

export function registerHomeRoutes(
  app: FastifyInstance,
  deps: { catalogue: Catalogue; firstStep: string; accounts?: AccountDeps },
): void {
  const { catalogue, firstStep } = deps;
  const standardsCategories = [...catalogue.categories.values()].filter((c) => c.track === 'standards');
  app.get('/', async (request, reply) => {
    const signedIn = fullySignedIn(request);
    const organisations =
      signedIn && deps.accounts ? await listOrganisations(deps.accounts, actorOf(signedIn)) : undefined;
    return reply.render('home.njk', {
      pageTitle: 'Prepare your Data Security and Protection Toolkit assessment',
      year: catalogue.year,
      deadlines: catalogue.deadlines,
      firstStep,
      standardsCategories,
      outcomeCount: catalogue.outcomes.size,
      accountsEnabled: deps.accounts !== undefined,
      isOperator: signedIn?.user.platformRole === 'operator',
      organisations: organisations?.map((o) => ({
        ...o,
        typeName: catalogue.organisationTypes.get(o.type)?.name ?? o.type,
      })),
    });
  });
}
