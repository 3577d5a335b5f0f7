// A liveness check for load balancers and container orchestrators: answers as long as the process serves.
import type { FastifyInstance } from 'fastify';

export function setUpHealthChecks(app: FastifyInstance): void {
  app.get('/healthz', { config: { sessionless: true } }, async (_request, reply) => {
    reply.header('cache-control', 'no-store');
    return { status: 'ok' };
  });
}
