#!/usr/bin/env node
import { existsSync } from 'node:fs';
import { telemetryEnabled } from '@gridbot/telemetry';
import { readVersion } from './build-info.ts';

/** The commands that run a role, whose work is traced when OpenTelemetry is configured. */
const TRACED_COMMANDS = new Set(['gateway', 'worker', 'scheduler', 'dashboard', 'start']);

const argv = process.argv.slice(2);
if (existsSync('.env')) process.loadEnvFile('.env');
const command = argv.find((arg) => !arg.startsWith('-'));
if (command && TRACED_COMMANDS.has(command) && telemetryEnabled(process.env)) {
  // Before the rest is imported, so that its modules are instrumented.
  const { startTelemetry } = await import('@gridbot/telemetry/start');
  startTelemetry({
    serviceName: `gridbot-${command}`,
    // The version alone: the git commit would cost a subprocess before every traced start.
    version: readVersion(),
    env: process.env,
  });
}
const { runCli } = await import('./run-cli.ts');
runCli(argv);
