import { execFile } from 'node:child_process';
import { readdirSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, inject, it } from 'vitest';
import { RedfishPower } from '../../src/fleet/drivers/redfish-power.js';
import { SimulatedDpuFleet } from '../../src/fleet/drivers/simulated-dpu.js';
import { FleetRepository } from '../../src/fleet/fleet-repository.js';
import { PowerRouter } from '../../src/fleet/fleet-runtime.js';
import { Provisioner } from '../../src/fleet/provisioner.js';
import { createSqliteStateStore } from '../../src/store/state/state-store.js';
import { fixturePath, repoRoot } from '../helpers/fixtures.js';
import { auth, startRuntime, tempDir } from '../helpers/runtime.js';
import { fleetHarness, TEST_TIMINGS } from './harness.js';

const run = promisify(execFile);

/** The Redfish servers of the integration run (test/setup/integration.global.ts starts them). */
function redfish(key: 'redfishUrl' | 'redfishEmulatorUrl', env: string): string {
  let v: string | undefined;
  try {
    v = inject(key);
  } catch {
    v = undefined;
  }
  v = v || process.env[env];
  if (!v) throw new Error(`${env} is not set: run through vitest --project integration`);
  return v;
}
const staticUrl = () => redfish('redfishUrl', 'FAULTLINE_REDFISH_URL');
const emulatorUrl = () => redfish('redfishEmulatorUrl', 'FAULTLINE_REDFISH_EMULATOR_URL');

type Json = Record<string, unknown>;
const MOCKUP = fixturePath('redfish', 'public-smartnic');

/** Every resource of the mockup under `dir` (relative), read straight from the fixture files. */
function mockupMembers(dir: string): Json[] {
  const base = join(MOCKUP, dir);
  return readdirSync(base, { withFileTypes: true })
    .filter((d) => d.isDirectory())
    .map((d) => JSON.parse(readFileSync(join(base, d.name, 'index.json'), 'utf8')) as Json);
}
const label = (r: Json) =>
  ((r.Location as Json | undefined)?.PartLocation as Json | undefined)?.ServiceLabel as string | undefined;

interface Comp {
  id: string;
  type: string;
  location: string;
  serial?: string;
}

/** What the mockup says the parts are: every serial and board label the import must carry. */
function expectMockupParts(components: Comp[]): void {
  const psus = mockupMembers('Chassis/1U/PowerSubsystem/PowerSupplies');
  const fans = mockupMembers('Chassis/1U/ThermalSubsystem/Fans');
  const drives = mockupMembers('Chassis/Card1/Drives');
  const cpus = mockupMembers('Systems/437XR1138R2/Processors');
  const dimms = mockupMembers('Systems/437XR1138R2/Memory');
  expect(components.filter((c) => c.type === 'power_supply').length).toBe(psus.length);
  for (const p of psus) {
    const c = components.find((x) => x.id === `PowerSupply.1U.${p.Id}`)!;
    expect(c.location).toBe(label(p));
    if (p.SerialNumber) expect(c.serial).toBe(p.SerialNumber);
  }
  for (const f of fans) expect(components.find((x) => x.id === `Fan.1U.${f.Id}`)?.location).toBe(label(f));
  for (const d of drives)
    expect(components.find((x) => x.serial === d.SerialNumber)?.type).toBe('physical_disk');
  expect(
    components
      .filter((c) => c.type === 'cpu')
      .map((c) => c.location)
      .sort(),
  ).toEqual(cpus.map((c) => c.Socket).sort());
  expect(components.filter((c) => c.type === 'memory').length).toBe(dimms.length);
  expect(components.some((c) => c.type === 'dpu' && c.serial === 'CSC125J87D')).toBe(true);
}

describe('Redfish against sushy-tools (DMTF public-smartnic mockup, fake-driver emulator)', () => {
  it('POST /v1/nodes/import-redfish enrolls the host with its parts, DPU and ports, rack and BMC address', async () => {
    const rt = await startRuntime();
    try {
      const res = await rt.app.inject({
        method: 'POST',
        url: '/v1/nodes/import-redfish',
        headers: auth(),
        payload: { url: `${staticUrl()}/redfish/v1`, resourceClass: 'bm.smartnic' },
      });
      expect(res.statusCode, res.body).toBe(200);
      expect(res.json().nodes).toEqual([{ id: 'web483', created: true, components: expect.any(Number) }]);
      const node = (await rt.app.inject({ method: 'GET', url: '/v1/nodes/web483', headers: auth() })).json();
      expect(node).toMatchObject({
        id: 'web483',
        resourceClass: 'bm.smartnic',
        rack: 'WEB43',
        bmcAddress: `${staticUrl()}/redfish/v1/Systems/437XR1138R2`,
        provisionState: 'enroll',
        dpu: { id: 'Card1-SoC', serial: '637XR7568R4', ports: [{ name: 'SC2KP1' }, { name: 'SC2KP2' }] },
      });
      const comps = (
        await rt.app.inject({ method: 'GET', url: '/v1/nodes/web483/components', headers: auth() })
      ).json().components as Comp[];
      expectMockupParts(comps);
      // The topology the engine reads knows the parts by their labels too.
      expect(
        rt.runtime.fleet.topology.node('web483')?.components.find((c) => c.id === 'PowerSupply.1U.Bay1'),
      ).toMatchObject({
        location: 'PSU 1',
        serial: '3488247',
      });
      // Again: the same node is updated, not duplicated.
      const again = await rt.app.inject({
        method: 'POST',
        url: '/v1/nodes/import-redfish',
        headers: auth(),
        payload: { url: staticUrl() },
      });
      expect(again.json().nodes[0]).toMatchObject({ id: 'web483', created: false });
      const bad = await rt.app.inject({
        method: 'POST',
        url: '/v1/nodes/import-redfish',
        headers: auth(),
        payload: { url: 'ftp://example/redfish' },
      });
      expect(bad.statusCode).toBe(400);
    } finally {
      await rt.close();
    }
  });

  it('`faultline fleet import-redfish <url>` fills the state store the server uses', async () => {
    const dataDir = tempDir('faultline-cli-redfish-');
    try {
      const { stdout } = await run(
        process.execPath,
        [
          '--import',
          'tsx',
          join(repoRoot, 'src/cli/main.ts'),
          'fleet',
          'import-redfish',
          staticUrl(),
          '--rack',
          'r42',
        ],
        {
          env: {
            ...process.env,
            FAULTLINE_DATA_DIR: dataDir,
            FAULTLINE_PG_URL: '',
            FAULTLINE_KAFKA_BROKERS: '',
            FAULTLINE_ES_URL: '',
            FAULTLINE_LOG_LEVEL: 'silent',
          },
        },
      );
      expect(JSON.parse(stdout).nodes[0]).toMatchObject({ id: 'web483', created: true });
      const store = createSqliteStateStore(join(dataDir, 'state.db'));
      try {
        const repo = new FleetRepository(store.db);
        expect((await repo.node('web483'))?.rack).toBe('r42');
        expectMockupParts(await repo.components('web483'));
      } finally {
        await store.close();
      }
    } finally {
      rmSync(dataDir, { recursive: true, force: true });
    }
  });

  it('the Redfish power driver powers a system on and off and sets its boot device', async () => {
    const power = new RedfishPower({ pollMs: 300 });
    const systems = (await (await fetch(`${emulatorUrl()}/redfish/v1/Systems`)).json()) as {
      Members: { '@odata.id': string }[];
    };
    const system = new URL(systems.Members[0]!['@odata.id'], emulatorUrl()).toString();
    await power.power(system, 'off');
    expect(await power.powerState(system)).toBe('power off');
    await power.setBootDevice(system, 'pxe');
    const boot = ((await (await fetch(system)).json()) as { Boot: { BootSourceOverrideTarget: string } })
      .Boot;
    expect(boot.BootSourceOverrideTarget).toBe('Pxe');
    await power.power(system, 'on');
    expect(await power.powerState(system)).toBe('power on');
    await power.power(system, 'off');
    expect(await power.powerState(system)).toBe('power off');
    await expect(power.power(`${emulatorUrl()}/redfish/v1/Systems/no-such-system`, 'on')).rejects.toThrow(
      /HTTP 404/,
    );
  }, 90_000);

  it('a lease deploys a node whose BMC is a Redfish service: power goes through Redfish, the rest through the DPU', async () => {
    const h = await fleetHarness();
    try {
      const systems = (await (await fetch(`${emulatorUrl()}/redfish/v1/Systems`)).json()) as {
        Members: { '@odata.id': string }[];
      };
      const system = new URL(systems.Members[0]!['@odata.id'], emulatorUrl()).toString();
      const dpu = new SimulatedDpuFleet(h.clock, TEST_TIMINGS);
      const prov = new Provisioner(h.fleet, dpu, new PowerRouter(new RedfishPower({ pollMs: 300 }), dpu));
      await h.fleet.createNode({
        id: 'rf-1',
        resourceClass: 'bm',
        bmcAddress: system,
        dpu: { id: 'd', ports: [{ name: 'p0' }] },
      });
      await h.settle(prov.makeAvailable('rf-1'));
      expect((await h.fleet.node('rf-1')).provisionState).toBe('available');
      const t = await h.fleet.createTenant({ name: 'rf' });
      const now = h.clock.now();
      await h.fleet.createLeases({
        tenantId: t.id,
        nodeId: 'rf-1',
        start: new Date(now).toISOString(),
        end: new Date(now + 3_600_000).toISOString(),
      });
      await h.settle(Promise.all((await prov.tick()).operations));
      expect((await h.fleet.node('rf-1')).provisionState).toBe('active');
      expect(await new RedfishPower().powerState(system)).toBe('power on');
      const boot = ((await (await fetch(system)).json()) as { Boot: { BootSourceOverrideTarget: string } })
        .Boot;
      expect(boot.BootSourceOverrideTarget).toBe('Hdd');
      await new RedfishPower({ pollMs: 300 }).power(system, 'off');
    } finally {
      await h.close();
    }
  }, 120_000);
});
