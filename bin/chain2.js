#!/usr/bin/env node
// Runs the TypeScript CLI through tsx's loader (no build step), with the simulators of sim/ (src/ never imports sim/).
import process from 'node:process';
import { register } from 'tsx/esm/api';
register();
const { runAsProcess } = await import('../src/cli/main.ts');
const { simulators } = await import('../sim/index.ts');
runAsProcess(process.argv.slice(2), simulators);
