#!/usr/bin/env node
import { main } from '../dist/cli/main.js';
import { runCli } from '../dist/cli/output.js';

// Exit codes: 0 ok, 1 error, 2 usage or validation, 3 not found, 4 authentication (see --help).
const code = await runCli(main, process.argv);
if (code !== 0) process.exit(code);
