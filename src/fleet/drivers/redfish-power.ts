import { type BmcPower, type BootDevice, DriverError, type PowerState } from './types.js';

const BOOT_TARGET: Record<BootDevice, string> = { disk: 'Hdd', pxe: 'Pxe', cd: 'Cd', bios: 'BiosSetup' };
const RESET_TYPE = { on: 'On', off: 'ForceOff', reboot: 'ForceRestart' } as const;

export interface RedfishPowerOptions {
  username?: string;
  password?: string;
  timeoutMs?: number;
  /** How long to wait for the power state to follow a reset (default 60 s), polling every `pollMs`. */
  settleTimeoutMs?: number;
  pollMs?: number;
}

/**
 * Power and boot device through any Redfish service (DMTF DSP0266): `ComputerSystem.Reset` and the
 * `Boot` override of the system resource. The BMC address is the URL of the ComputerSystem
 * (`http://bmc/redfish/v1/Systems/1`); credentials come from configuration, never from the address,
 * so they never reach a log line or an event.
 */
export class RedfishPower implements BmcPower {
  constructor(private readonly options: RedfishPowerOptions = {}) {}

  private async call(step: string, url: string, init: RequestInit = {}): Promise<Response> {
    const headers: Record<string, string> = { accept: 'application/json' };
    if (init.body !== undefined) headers['content-type'] = 'application/json';
    if (this.options.username !== undefined)
      headers.authorization = `Basic ${Buffer.from(`${this.options.username}:${this.options.password ?? ''}`).toString('base64')}`;
    let res: Response;
    try {
      res = await fetch(url, {
        ...init,
        headers,
        signal: AbortSignal.timeout(this.options.timeoutMs ?? 15_000),
      });
    } catch (error) {
      throw new DriverError(step, `Redfish ${step} at ${url}: ${(error as Error).message}`, { cause: error });
    }
    if (!res.ok) {
      const text = await res.text().catch(() => '');
      throw new DriverError(step, `Redfish ${step} at ${url}: HTTP ${res.status} ${text.slice(0, 200)}`);
    }
    return res;
  }

  /** The Reset action's target as the system resource advertises it, else the standard path. */
  private async resetTarget(system: string): Promise<string> {
    const res = await this.call('power', system);
    const body = (await res.json()) as { Actions?: Record<string, { target?: string }> };
    const target = body.Actions?.['#ComputerSystem.Reset']?.target;
    return target === undefined
      ? `${system}/Actions/ComputerSystem.Reset`
      : new URL(target, system).toString();
  }

  /**
   * Asks for the reset, then waits until the system reports the power state asked for: a BMC
   * accepts the action at once and applies it seconds later, and the next step (boot) must not
   * start before.
   */
  async power(bmcAddress: string, action: 'on' | 'off' | 'reboot'): Promise<void> {
    const target = await this.resetTarget(bmcAddress);
    await this.call('power', target, {
      method: 'POST',
      body: JSON.stringify({ ResetType: RESET_TYPE[action] }),
    });
    const want: PowerState = action === 'off' ? 'power off' : 'power on';
    const deadline = Date.now() + (this.options.settleTimeoutMs ?? 60_000);
    for (;;) {
      if ((await this.powerState(bmcAddress)) === want) return;
      if (Date.now() > deadline)
        throw new DriverError('power', `${bmcAddress} did not reach ${want} in time`);
      await new Promise((resolve) => setTimeout(resolve, this.options.pollMs ?? 500));
    }
  }

  async powerState(bmcAddress: string): Promise<PowerState> {
    const res = await this.call('power_state', bmcAddress);
    const body = (await res.json()) as { PowerState?: string };
    // Redfish PowerState: On, Off, PoweringOn, PoweringOff, Paused; transitions count as where they go.
    return body.PowerState === 'On' || body.PowerState === 'PoweringOn' ? 'power on' : 'power off';
  }

  async setBootDevice(bmcAddress: string, device: BootDevice): Promise<void> {
    await this.call('boot_device', bmcAddress, {
      method: 'PATCH',
      body: JSON.stringify({
        Boot: { BootSourceOverrideTarget: BOOT_TARGET[device], BootSourceOverrideEnabled: 'Once' },
      }),
    });
  }
}
