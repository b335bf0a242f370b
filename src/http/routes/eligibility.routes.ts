import type { FastifyTypeBox } from '../app.js';
import type { EligibilityService } from '../../services/eligibility.service.js';
import { PodParam } from '../schemas.js';

export function eligibilityRoutes(app: FastifyTypeBox, eligibility: EligibilityService) {
  app.get(
    '/supply-points/:pod/eligibility',
    {
      schema: {
        summary: 'Check whether a supply point can have Chain 2',
        description:
          'Answered at once. An unknown POD is eligible=false with reason pod_not_found; a malformed one is a 400.',
        tags: ['eligibility'],
        params: PodParam,
        response: { 200: { $ref: 'Eligibility#' } },
      },
    },
    async (request) => eligibility.check(request.params.pod),
  );
}
