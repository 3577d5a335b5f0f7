// The home page: what openDSPT is, this year's deadlines, and the one thing to do first.
import type { FastifyInstance } from 'fastify';
import type { Catalogue } from '../../domain/catalogue/model.ts';

export function registerHomeRoutes(
  app: FastifyInstance,
  deps: { catalogue: Catalogue; firstStep: string },
): void {
  const { catalogue, firstStep } = deps;
  const standardsCategories = [...catalogue.categories.values()].filter((c) => c.track === 'standards');
  app.get('/', async (_request, reply) =>
    reply.render('home.njk', {
      pageTitle: 'Prepare your Data Security and Protection Toolkit assessment',
      year: catalogue.year,
      deadlines: catalogue.deadlines,
      firstStep,
      standardsCategories,
      outcomeCount: catalogue.outcomes.size,
    }),
  );
}
