#!/usr/bin/env node
import { runCli } from './run-cli.ts';

runCli(process.argv.slice(2));
