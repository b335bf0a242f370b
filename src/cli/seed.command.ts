import type { Config } from '../config.js';
import { seedDemoIfEmpty, writeDemoCredentials } from '../main/demo.js';
import { loggerOptions } from '../main/logger.js';
import { createPlatform } from '../main/platform.js';
import type { Simulators } from '../main/simulators.js';

export async function seedCommand(config: Config, options: { json: boolean; simulators: Simulators }): Promise<number> {
  // Warnings only, on stderr: stdout is the credentials (--json: read by scripts).
  const platform = await createPlatform(config, {
    logger: loggerOptions({ ...config, logLevel: 'warn' }, process.stderr),
    simulators: options.simulators,
  });
  try {
    await platform.workflow.start(); // the seed's associations are programmed like any other
    const seeded = await seedDemoIfEmpty(platform);
    const { path, credentials } = await writeDemoCredentials(platform);
    if (options.json) {
      console.log(JSON.stringify(credentials, null, 2));
    } else {
      console.log(
        seeded ? 'Demo network seeded.' : 'The database already holds the demo: new demo tokens were issued.',
      );
      for (const ap of credentials.assetProviders) {
        console.log(`\n${ap.name}`);
        for (const r of ap.representatives) console.log(`  ${r.email}  token ${r.token}`);
      }
      console.log('\nDSO operators (remote operations)');
      for (const o of credentials.operators) console.log(`  ${o.email}  token ${o.token}`);
      console.log(`\nCredentials and example PODs: ${path}`);
    }
    return 0;
  } finally {
    await platform.close();
  }
}
