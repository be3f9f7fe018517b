import type { ComponentView } from '../model/topology.js';
import type { LeaseStatus } from '../store/state/schema.js';
import type { ProvisionState } from './provision-states.js';

/** The leasing core's objects as the API and the services see them (camelCase, ISO times). */
export interface Tenant {
  id: string;
  name: string;
  createdAt: string;
}

/** A part of a node: the Topology port's view of it, plus what the inventory knows besides. */
export interface Component extends ComponentView {
  detail?: Record<string, unknown>;
}

export interface DpuPort {
  name: string;
  mac?: string;
  /** `switch:port` of the top-of-rack port it is cabled to. */
  switchPort?: string;
}

export interface Dpu {
  id: string;
  model?: string;
  serial?: string;
  ports: DpuPort[];
}

export interface Node {
  id: string;
  resourceClass: string;
  rack: string | null;
  bmcAddress: string | null;
  provisionState: ProvisionState;
  targetProvisionState: ProvisionState | null;
  powerState: string;
  maintenance: boolean;
  maintenanceReason: string | null;
  /** Why the node is in a fail state or in maintenance (Ironic's `fault`). */
  fault: string | null;
  lastError: string | null;
  createdAt: string;
  updatedAt: string;
}

export interface Lease {
  id: string;
  tenantId: string;
  nodeId: string;
  resourceClass: string;
  start: string;
  end: string;
  status: LeaseStatus;
  activatedAt: string | null;
  diskId: string;
  networkIds: string[];
  evacuatedFrom: string | null;
  reason: string | null;
  createdAt: string;
  updatedAt: string;
}

export interface Network {
  id: string;
  tenantId: string;
  name: string;
  vni: number;
  createdAt: string;
}

export interface HistoryEntry {
  seq: number;
  at: string;
  event: string;
  from: string | null;
  to: string | null;
  detail: Record<string, unknown> | null;
}
