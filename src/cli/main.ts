import { parseArgs } from 'node:util';
import { ConfigError, duCommandEnv, loadConfig } from '../config.js';
import type { Simulators } from '../main/simulators.js';
import { seedCommand } from './seed.command.js';
import { startCommand } from './start.command.js';

const USAGE = `Usage: chain2 <command> [options]

Commands:
  start            Start the platform (API, request workflow); seeds the demo on an empty database
                   and writes $DATA_DIR/demo-credentials.json.   --no-demo: start empty
  seed             Seed the demo network on an empty database (run it while the platform is stopped when
                   the database is the embedded one). Prints the demo credentials.   --json: as JSON
  field-network    Run the field-network simulator (concentrators, meters) as a service of its own, for
                   workers started with HEAD_END_URL. Listens on FIELD_NETWORK_HOST:FIELD_NETWORK_PORT.
  du               Run an emulated DU (or a fleet) on the simulated power line, with the WebSocket real
                   DU integrations consume (send "!"), optionally publishing to MQTT. chain2 du --help
  help             This text.

Configuration comes from environment variables: see .env.example.`;

/** The CLI; the entry point hands in the simulators (src/ imports nothing of sim/). */
export async function runCli(argv: string[], simulators: Simulators): Promise<number> {
  const [command, ...rest] = argv;
  if (!command || command === 'help' || command === '--help') {
    console.log(USAGE);
    return command ? 0 : 2;
  }
  if (command === 'du') {
    if (rest.includes('--help')) {
      console.log(simulators.du.usage);
      return 0;
    }
    // A DU emulator is a device of its own: it needs none of the platform's configuration.
    const result = await simulators.du.run(rest, {
      stdout: process.stdout,
      stderr: process.stderr,
      env: duCommandEnv(),
    });
    if (!result.running) return result.exitCode;
    for (const signal of ['SIGINT', 'SIGTERM'] as const) process.once(signal, () => void result.close());
    return result.done;
  }
  const config = loadConfig();
  switch (command) {
    case 'start': {
      const { values } = parseArgs({ args: rest, options: { 'no-demo': { type: 'boolean', default: false } } });
      return startCommand(config, { demo: !values['no-demo'], simulators });
    }
    case 'seed': {
      const { values } = parseArgs({ args: rest, options: { json: { type: 'boolean', default: false } } });
      return seedCommand(config, { json: values.json ?? false, simulators });
    }
    case 'field-network':
      return simulators.fieldNetworkService(config);
    default:
      console.error(`Unknown command "${command}".\n\n${USAGE}`);
      return 2;
  }
}

/** Runs the CLI as the process: its exit code, or 1 with the message of what stopped it. */
export function runAsProcess(argv: string[], simulators: Simulators): void {
  runCli(argv, simulators).then(
    (code) => {
      if (code !== 0 || process.exitCode === undefined) process.exitCode = code;
    },
    (error: unknown) => {
      console.error(error instanceof ConfigError ? error.message : error);
      process.exitCode = 1;
    },
  );
}
