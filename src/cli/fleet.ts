import { Command } from 'commander';

/**
 * `faultline fleet …`: the leasing core from the command line, against the configured state store
 * and bus (the same ones `serve` uses). Heavy modules load when a subcommand runs.
 */
export function fleetCommand(): Command {
  const fleet = new Command('fleet').description('bare-metal fleet: inventory, nodes, leases');
  fleet
    .command('import-redfish')
    .description(
      'enroll (or update) the servers of a Redfish service with their parts, serials and board labels',
    )
    .argument('<url>', 'Redfish service, e.g. https://bmc.example/ or http://127.0.0.1:8000/redfish/v1')
    .option('--resource-class <class>', 'resource class of new nodes', 'baremetal')
    .option('--rack <rack>', "rack of new nodes (default: the chassis' Location.Placement.Rack)")
    .option('--username <user>', 'Redfish user; the password comes from FAULTLINE_REDFISH_PASSWORD')
    .action(async (url: string, opts: { resourceClass: string; rack?: string; username?: string }) => {
      const { loadConfig } = await import('../config/load.js');
      const { createLogger } = await import('../shared/logger.js');
      const { createBus, createStateStore } = await import('../adapters.js');
      const { BusFleetSink } = await import('../fleet/bus-sink.js');
      const { systemClock } = await import('../fleet/clock.js');
      const { FleetService } = await import('../fleet/fleet-service.js');
      const { FanOutSink } = await import('../fleet/fleet-event.js');
      const { FleetOutbox } = await import('../fleet/outbox.js');
      const { importRedfish } = await import('../fleet/redfish-inventory.js');
      const config = loadConfig({});
      const logger = createLogger(config.logLevel);
      const state = createStateStore(config);
      const bus = await createBus(config, logger);
      try {
        await state.migrate();
        const outbox = new FleetOutbox(state.db, new BusFleetSink(bus, config.topicPrefix), logger);
        const service = new FleetService(state, new FanOutSink(), systemClock, { outbox });
        const password = process.env.FAULTLINE_REDFISH_PASSWORD;
        const result = await importRedfish(service, url, {
          resourceClass: opts.resourceClass,
          ...(opts.rack === undefined ? {} : { rack: opts.rack }),
          ...(opts.username === undefined ? {} : { username: opts.username, password: password ?? '' }),
        });
        await state.audit({ actor: 'cli', action: 'node.import-redfish', target: url, detail: result });
        await outbox.close();
        process.stdout.write(`${JSON.stringify(result)}\n`);
      } finally {
        await bus.close();
        await state.close();
      }
    });
  return fleet;
}
