/**
 * Driver ports of the provisioning core. A DPU agent does what boots a leased server in minutes:
 * it attaches a cloud disk as the boot volume, creates the virtual NIC the host sees, and programs
 * the tenant's segment on its ports. The BMC drives power and the boot device. Every call either
 * completes or throws a DriverError naming the step; the provisioner turns that into a fail state.
 */
export class DriverError extends Error {
  override readonly name = 'DriverError';
  constructor(
    readonly step: string,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

export interface DpuAgent {
  attachDisk(nodeId: string, diskId: string): Promise<void>;
  detachDisk(nodeId: string, diskId: string): Promise<void>;
  createVnic(nodeId: string, port: string): Promise<void>;
  deleteVnic(nodeId: string, port: string): Promise<void>;
  /** Programs (or with `present: false` removes) a tenant segment on a DPU port. */
  programSegment(nodeId: string, port: string, vni: number, present: boolean): Promise<void>;
  /** Resolves when the host has booted from its cloud disk (the DPU serves the boot volume and sees it). */
  waitForBoot(nodeId: string): Promise<void>;
  /** Segments programmed on the node's ports right now, as the DPU reports them. */
  segments(nodeId: string): Promise<{ port: string; vni: number }[]>;
}

export type PowerState = 'power on' | 'power off';
export type BootDevice = 'disk' | 'pxe' | 'cd' | 'bios';

export interface BmcPower {
  power(bmcAddress: string, action: 'on' | 'off' | 'reboot'): Promise<void>;
  powerState(bmcAddress: string): Promise<PowerState>;
  setBootDevice(bmcAddress: string, device: BootDevice): Promise<void>;
}
