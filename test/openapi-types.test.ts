import { readFileSync } from 'node:fs';
import { beforeAll, describe, expect, it } from 'vitest';
import { MAC_PATTERN } from '../src/domain/identifiers.js';
import { KPI_GROUPINGS } from '../src/domain/kpi.js';
import { AssetProviderStatus } from '../src/domain/onboarding.js';
import { API_SCHEMA_FILE, GENERATE_COMMAND, generateApiTypes } from '../tools/openapi-types.js';

const union = (values: readonly string[]) => values.map((v) => JSON.stringify(v)).join(' | ');

describe("the portal's API types (web/src/api-schema.ts)", () => {
  let generated: string;
  beforeAll(async () => {
    generated = await generateApiTypes();
  });

  it('match the OpenAPI document the route schemas make today', () => {
    const committed = readFileSync(API_SCHEMA_FILE, 'utf8');
    if (committed === generated) return;
    const [was, is] = [committed.split('\n'), generated.split('\n')];
    const first = is.findIndex((line, i) => line !== was[i]);
    expect.fail(
      `web/src/api-schema.ts is out of date with the route schemas (first difference at line ${first + 1}: ` +
        `${JSON.stringify(is[first] ?? '(end of file)')}). Run \`${GENERATE_COMMAND}\` and commit the result.`,
    );
  });

  it("carry the domain's closed sets as unions and its MAC pattern, not bare strings", () => {
    expect(generated).toContain(`groupBy: ${union(KPI_GROUPINGS)};`);
    expect(generated).toContain(`status: ${union(Object.values(AssetProviderStatus))};`);
    expect(generated).toContain(`export const MAC_ADDRESS_PATTERN = ${JSON.stringify(MAC_PATTERN.source)};`);
  });
});
