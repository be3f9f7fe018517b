import type { MessageBus } from '../bus/types.js';
import type { Logger } from '../shared/logger.js';
import type { StateStore } from '../store/state/state-store.js';
import { BusFleetSink } from './bus-sink.js';
import { type Clock, systemClock } from './clock.js';
import { RedfishPower } from './drivers/redfish-power.js';
import { REALISTIC_TIMINGS, SimulatedDpuFleet } from './drivers/simulated-dpu.js';
import type { BmcPower, BootDevice, DpuAgent, PowerState } from './drivers/types.js';
import { FanOutSink } from './fleet-event.js';
import { FleetRepository } from './fleet-repository.js';
import { FleetService } from './fleet-service.js';
import { FleetOutbox } from './outbox.js';
import { Provisioner } from './provisioner.js';
import { TopologyIndex } from './topology-index.js';

/**
 * Power by BMC address: a Redfish URL goes to the Redfish driver, anything else to the fallback
 * (the simulated BMC of demo and test fleets).
 */
export class PowerRouter implements BmcPower {
  constructor(
    private readonly redfish: BmcPower,
    private readonly fallback: BmcPower,
  ) {}
  private pick(address: string): BmcPower {
    return /^https?:\/\//.test(address) ? this.redfish : this.fallback;
  }
  power(address: string, action: 'on' | 'off' | 'reboot'): Promise<void> {
    return this.pick(address).power(address, action);
  }
  powerState(address: string): Promise<PowerState> {
    return this.pick(address).powerState(address);
  }
  setBootDevice(address: string, device: BootDevice): Promise<void> {
    return this.pick(address).setBootDevice(address, device);
  }
}

export interface FleetRuntime {
  service: FleetService;
  provisioner: Provisioner;
  topology: TopologyIndex;
  dpu: DpuAgent;
  /** Stops the lease scheduler and waits for operations in flight. */
  stop(): Promise<void>;
}

export interface FleetRuntimeOptions {
  stateStore: StateStore;
  bus: MessageBus;
  logger: Logger;
  topicPrefix?: string;
  clock?: Clock;
  dpu?: DpuAgent;
  power?: BmcPower;
  /** How often leases are started and ended (ms); 0 disables the scheduler. */
  tickMs?: number;
  /** How often the segment invariant is checked (ms); 0 disables it. */
  invariantMs?: number;
}

/**
 * The leasing core as the runtime runs it: the topology index loaded from the store and fed by the
 * service's events before they go on the bus; the lease scheduler on a timer. There is no real DPU
 * agent protocol yet, so DPU work goes to the simulated DPU unless a driver is given.
 */
export async function createFleetRuntime(options: FleetRuntimeOptions): Promise<FleetRuntime> {
  const clock = options.clock ?? systemClock;
  const topology = new TopologyIndex(new FleetRepository(options.stateStore.db));
  await topology.load();
  // The index hears each change at once, in process; the bus gets it through the outbox.
  const outbox = new FleetOutbox(
    options.stateStore.db,
    new BusFleetSink(options.bus, options.topicPrefix),
    options.logger,
  );
  const service = new FleetService(options.stateStore, new FanOutSink(topology), clock, { outbox });
  await outbox.kick(); // what an earlier run committed but could not relay
  const simulated = new SimulatedDpuFleet(clock, REALISTIC_TIMINGS);
  const dpu = options.dpu ?? simulated;
  const power = options.power ?? new PowerRouter(new RedfishPower(), simulated);
  const provisioner = new Provisioner(service, dpu, power);
  const timers: NodeJS.Timeout[] = [];
  let ticking = false;
  const every = (ms: number | undefined, fn: () => Promise<unknown>, what: string) => {
    if (ms === 0) return;
    const t = setInterval(() => {
      if (ticking) return;
      ticking = true;
      fn()
        .catch((err: unknown) => options.logger.error({ err }, `fleet ${what} failed`))
        .finally(() => {
          ticking = false;
        });
    }, ms ?? 5000);
    t.unref();
    timers.push(t);
  };
  every(options.tickMs, () => provisioner.tick(), 'lease scheduler');
  every(options.invariantMs ?? 60_000, () => provisioner.checkSegments(), 'segment check');
  every(options.invariantMs ?? 60_000, () => provisioner.failStuck(), 'stuck-state check');
  return {
    service,
    provisioner,
    topology,
    dpu,
    async stop() {
      for (const t of timers) clearInterval(t);
      // A deploy takes minutes; shutdown waits a little for steps in flight, not for whole deploys
      // (a node left in a wait state is what an operator sees after a conductor restart in Ironic).
      await Promise.race([provisioner.idle(), new Promise((resolve) => setTimeout(resolve, 5_000).unref())]);
      await outbox.close();
    },
  };
}
