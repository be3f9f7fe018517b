#!/usr/bin/env node
import { Command, Option } from 'commander';
import { errorMessage, isFaultlineError } from '../shared/errors.js';
import { VERSION } from '../shared/version.js';
import { inputFormsHelp } from '../sources/input-forms.js';
import { SOURCE_IDS } from '../sources/types.js';
import { fleetCommand } from './fleet.js';

// Each command loads what it needs when it runs: `parse` must not pay for Fastify, the Kafka and
// Elasticsearch clients and SQLite at start-up (half a second, a fifth of a 100 MB parse).
const serveDeps = async () => ({
  ...(await import('../api/server.js')),
  ...(await import('../config/load.js')),
  ...(await import('../runtime.js')),
  ...(await import('../shared/logger.js')),
});

const program = new Command('faultline')
  .description('AIOps log and fault analytics for bare-metal clouds')
  .version(VERSION)
  .showHelpAfterError();

program
  .command('serve')
  .description('API + ingest with the configured adapters (embedded SQLite by default)')
  .option('-p, --port <port>', 'HTTP port (FAULTLINE_PORT)')
  .option('--host <address>', 'listen address (FAULTLINE_HOST)')
  .option('--data-dir <dir>', 'embedded data directory (FAULTLINE_DATA_DIR)')
  .action(async (opts: { port?: string; host?: string; dataDir?: string }) => {
    const { loadConfig, createLogger, createRuntime, listen } = await serveDeps();
    const overrides: Record<string, unknown> = {};
    if (opts.port !== undefined) overrides.port = opts.port;
    if (opts.host !== undefined) overrides.host = opts.host;
    if (opts.dataDir !== undefined) overrides.dataDir = opts.dataDir;
    const config = loadConfig({ overrides });
    const logger = createLogger(config.logLevel);
    const runtime = await createRuntime(config, logger);
    const address = await listen(runtime);
    const adapters = `bus=${runtime.bus.kind} events=${runtime.eventStore.kind} state=${runtime.stateStore.kind}`;
    logger.info({ address, adapters }, 'faultline is serving');
    if (process.stderr.isTTY || process.env.FAULTLINE_BANNER !== '0') {
      const keyHint =
        runtime.adminKeyFile !== undefined
          ? `KEY=$(cat ${runtime.adminKeyFile})`
          : 'KEY=<an admin, sre or ingest API key>';
      process.stderr.write(
        [
          '',
          `Faultline ${VERSION} on ${address}  (${adapters})`,
          `  API docs:   ${address}/docs`,
          `  health:     ${address}/healthz   ready: ${address}/readyz   metrics: ${address}/metrics`,
          runtime.adminKeyFile !== undefined
            ? `  admin key:  written to ${runtime.adminKeyFile} (mode 0600; keep it safe)`
            : '',
          '  send it data:',
          `    ${keyHint}`,
          `    curl -H "Authorization: Bearer $KEY" --data-binary @test/fixtures/loghub/OpenStack/OpenStack_2k.log \\`,
          `         -H 'content-type: text/plain' '${address}/v1/ingest/openstack-log?host=compute-1'`,
          `    curl -H "Authorization: Bearer $KEY" '${address}/v1/logs/search?level=WARNING&size=5'`,
          '',
        ]
          .filter((l) => l !== '')
          .join('\n') + '\n\n',
      );
    }
  });

program
  .command('demo')
  .description('serve plus a simulated fleet with injected faults: alerts appear within a minute')
  .option('--seed <n>', 'simulation seed (same seed, same telemetry and faults)', '1')
  .option('--nodes <n>', 'simulated nodes', '200')
  .option('--speed <x>', 'simulated seconds per wall-clock second', '60')
  .option('--data-dir <dir>', 'data directory (default: a new temporary one)')
  .option('-p, --port <port>', 'HTTP port (FAULTLINE_PORT)')
  .action(async (opts: { seed: string; nodes: string; speed: string; dataDir?: string; port?: string }) => {
    const { demoCommand } = await import('./demo.js');
    // Stops the simulator; the server's shutdown handler (api/server.ts) closes the rest and exits.
    const controller = new AbortController();
    process.once('SIGINT', () => controller.abort());
    process.once('SIGTERM', () => controller.abort());
    await demoCommand({
      seed: Number(opts.seed),
      nodes: Number(opts.nodes),
      speed: Number(opts.speed),
      signal: controller.signal,
      out: process.stdout,
      ...(opts.dataDir !== undefined ? { dataDir: opts.dataDir } : {}),
      ...(opts.port !== undefined ? { port: opts.port } : {}),
    });
  });

program.addCommand(fleetCommand());

program
  .command('parse')
  .description('decode raw telemetry into normalized events (NDJSON on stdout, rejections on stderr)')
  .addOption(
    new Option('-s, --source <source>', 'input format').choices([...SOURCE_IDS]).makeOptionMandatory(),
  )
  .option('--host <node>', 'node the records come from, when the input does not name it')
  .option('--strict', 'exit 1 when any record is rejected')
  .option('--no-fast-path', "decode every record the generic way, not with the source's byte fast path")
  .argument('[file]', 'input file, or - for stdin', '-')
  .addHelpText('after', inputFormsHelp)
  .action(
    async (file: string, opts: { source: string; host?: string; strict?: boolean; fastPath: boolean }) => {
      const { openInput, parseCommand } = await import('./parse.js');
      const summary = await parseCommand({
        source: opts.source,
        input: openInput(file),
        stdout: process.stdout,
        stderr: process.stderr,
        fastPath: opts.fastPath,
        ...(opts.host !== undefined ? { host: opts.host } : {}),
      });
      if (opts.strict === true && summary.rejected > 0) process.exitCode = 1;
    },
  );

program
  .command('logmine')
  .description('mine log templates: one JSON line per input line {"line","template_id","template"}')
  .addOption(
    new Option('-s, --source <source>', 'decode records with this source and mine their message').choices([
      ...SOURCE_IDS,
    ]),
  )
  .option(
    '-f, --format <format>',
    "Loghub log_format of the header, e.g. '<Date> <Time> <Level> <Component>: <Content>'",
  )
  .option('--state <file>', 'SQLite file that keeps templates between runs (same ids after a restart)')
  .argument('[file]', 'input file, or - for stdin', '-')
  .action(async (file: string, opts: { source?: string; format?: string; state?: string }) => {
    const { logmineCommand } = await import('./logmine.js');
    // `faultline logmine big.log | head` closes the pipe early: that is the reader's choice, not an error.
    process.stdout.on('error', (error: NodeJS.ErrnoException) => {
      if (error.code === 'EPIPE') process.exit(0);
      throw error;
    });
    const { openInput } = await import('./parse.js');
    const state = opts.state === undefined ? undefined : await import('../logmine/sqlite-templates.js');
    const store = state?.openSqliteTemplates(opts.state as string);
    try {
      await logmineCommand({
        input: openInput(file),
        stdout: process.stdout,
        stderr: process.stderr,
        ...(opts.source !== undefined ? { source: opts.source } : {}),
        ...(opts.format !== undefined ? { format: opts.format } : {}),
        ...(store !== undefined ? { repository: await store.repository() } : {}),
      });
    } finally {
      await store?.close();
    }
  });

program
  .command('bootstrap')
  .description(
    'create state tables, Elasticsearch templates and Kafka topics for the configured adapters (idempotent)',
  )
  .action(async () => {
    const { loadConfig, createLogger } = await serveDeps();
    const { bootstrapCommand } = await import('./bootstrap.js');
    const config = loadConfig();
    await bootstrapCommand({ config, logger: createLogger(config.logLevel), stdout: process.stdout });
  });

program
  .command('replay')
  .description('push a file through the running pipeline (appends its raw records to the configured bus)')
  .addOption(
    new Option('-s, --source <source>', 'input format').choices([...SOURCE_IDS]).makeOptionMandatory(),
  )
  .option('--host <node>', 'node the records come from (the bus key)')
  .option('--data-dir <dir>', 'embedded data directory of the running server (FAULTLINE_DATA_DIR)')
  .argument('<file>', 'input file')
  .action(async (file: string, opts: { source: string; host?: string; dataDir?: string }) => {
    const { loadConfig, createLogger } = await serveDeps();
    const { replayCommand } = await import('./replay.js');
    const config = loadConfig({ overrides: opts.dataDir === undefined ? {} : { dataDir: opts.dataDir } });
    const logger = createLogger(config.logLevel === 'info' ? 'warn' : config.logLevel);
    const report = await replayCommand({
      config,
      logger,
      source: opts.source,
      file,
      progress: process.stderr.isTTY === true,
      ...(opts.host !== undefined ? { host: opts.host } : {}),
    });
    process.stdout.write(`${JSON.stringify(report)}\n`);
  });

program
  .command('analyze')
  .description('decode a file and run the rules over it in event time (alerts and predictions as NDJSON)')
  .addOption(
    new Option('-s, --source <source>', 'input format').choices([...SOURCE_IDS]).makeOptionMandatory(),
  )
  .option('--topology <file>', 'static topology (JSON or YAML): nodes, components, leases, segments')
  .option('--rules <dir>', 'rule directory (default: the shipped rules)')
  .option('--host <node>', 'node the records come from, when the input does not name it')
  .option('--show-suppressed', 'also print alerts suppressed by provisioning windows')
  .argument('[file]', 'input file, or - for stdin', '-')
  .action(
    async (
      file: string,
      opts: { source: string; topology?: string; rules?: string; host?: string; showSuppressed?: boolean },
    ) => {
      const { openInput } = await import('./parse.js');
      const { analyzeCommand } = await import('./analyze.js');
      await analyzeCommand({
        source: opts.source,
        input: openInput(file),
        stdout: process.stdout,
        stderr: process.stderr,
        ...(opts.topology !== undefined ? { topologyFile: opts.topology } : {}),
        ...(opts.rules !== undefined ? { rulesDir: opts.rules } : {}),
        ...(opts.host !== undefined ? { host: opts.host } : {}),
        showSuppressed: opts.showSuppressed === true,
      });
    },
  );

const rulesCommand = program.command('rules').description('check and test rule files');
for (const [name, description] of [
  ['check', 'validate rule files (errors as file:line:col)'],
  ['test', 'run the rule tests in DIR/tests (input events at times, expected alerts at times)'],
] as const) {
  rulesCommand
    .command(name)
    .description(description)
    .argument('[dir]', 'rule directory (default: the shipped rules)')
    .action(async (dir: string | undefined) => {
      const { rulesCheckCommand, rulesTestCommand } = await import('./rules.js');
      process.exitCode = (name === 'check' ? rulesCheckCommand : rulesTestCommand)(
        dir,
        process.stdout,
        process.stderr,
      );
    });
}

program.parseAsync(process.argv).catch((error: unknown) => {
  // Config errors name the key and what was expected; print them plainly, without a stack.
  process.stderr.write(`faultline: ${isFaultlineError(error) ? error.message : errorMessage(error)}\n`);
  process.exit(isFaultlineError(error) && error.code === 'FAULTLINE_CONFIG_INVALID' ? 78 : 1);
});
