import { Type } from 'typebox';
import { PROVISION_STATES } from '../../fleet/provision-states.js';
import { HW_TYPES } from '../../model/event.js';
import { LEASE_STATUSES } from '../../store/state/schema.js';

/** TypeBox shapes of the fleet API (one place, so the OpenAPI at /docs and the code agree). */
/** A string enum whose static type is the union of its values (TypeBox's Enum). */
export const enumOf = <const T extends readonly string[]>(values: T) => Type.Enum([...values] as T[number][]);

const Nullable = <T extends Parameters<typeof Type.Union>[0][number]>(t: T) => Type.Union([t, Type.Null()]);
const Id = Type.String({ minLength: 1, maxLength: 200, pattern: '^[A-Za-z0-9][A-Za-z0-9._:@-]*$' });
export const IdParams = Type.Object({ id: Type.String({ minLength: 1, maxLength: 200 }) });

export const TenantSchema = Type.Object({ id: Type.String(), name: Type.String(), createdAt: Type.String() });
export const NewTenantSchema = Type.Object(
  { id: Type.Optional(Id), name: Type.String({ minLength: 1, maxLength: 200 }) },
  { additionalProperties: false },
);

export const NetworkSchema = Type.Object({
  id: Type.String(),
  tenantId: Type.String(),
  name: Type.String(),
  vni: Type.Integer(),
  createdAt: Type.String(),
});
export const NewNetworkSchema = Type.Object(
  { tenantId: Type.String({ minLength: 1 }), name: Type.String({ minLength: 1, maxLength: 200 }) },
  { additionalProperties: false },
);

export const ComponentSchema = Type.Object({
  id: Type.String({ minLength: 1, maxLength: 200 }),
  type: enumOf(HW_TYPES),
  location: Type.String({ minLength: 1, maxLength: 200 }),
  serial: Type.Optional(Type.String()),
  manufacturer: Type.Optional(Type.String()),
  model: Type.Optional(Type.String()),
  detail: Type.Optional(Type.Record(Type.String(), Type.Unknown())),
});

export const DpuSchema = Type.Object({
  id: Type.String({ minLength: 1 }),
  model: Type.Optional(Type.String()),
  serial: Type.Optional(Type.String()),
  ports: Type.Array(
    Type.Object({
      name: Type.String({ minLength: 1 }),
      mac: Type.Optional(Type.String()),
      switchPort: Type.Optional(Type.String()),
    }),
  ),
});

export const NodeSchema = Type.Object({
  id: Type.String(),
  resourceClass: Type.String(),
  rack: Nullable(Type.String()),
  bmcAddress: Nullable(Type.String()),
  provisionState: enumOf(PROVISION_STATES),
  targetProvisionState: Nullable(Type.String()),
  powerState: Type.String(),
  maintenance: Type.Boolean(),
  maintenanceReason: Nullable(Type.String()),
  fault: Nullable(Type.String()),
  lastError: Nullable(Type.String()),
  createdAt: Type.String(),
  updatedAt: Type.String(),
  dpu: Type.Optional(DpuSchema),
});

export const NewNodeSchema = Type.Object(
  {
    id: Id,
    resourceClass: Type.String({ minLength: 1, maxLength: 100 }),
    rack: Type.Optional(Id),
    bmcAddress: Type.Optional(Type.String({ minLength: 1, maxLength: 500 })),
    components: Type.Optional(Type.Array(ComponentSchema)),
    dpu: Type.Optional(DpuSchema),
  },
  { additionalProperties: false },
);

export const LeaseSchema = Type.Object({
  id: Type.String(),
  tenantId: Type.String(),
  nodeId: Type.String(),
  resourceClass: Type.String(),
  start: Type.String(),
  end: Type.String(),
  status: enumOf(LEASE_STATUSES),
  activatedAt: Nullable(Type.String()),
  diskId: Type.String(),
  networkIds: Type.Array(Type.String()),
  evacuatedFrom: Nullable(Type.String()),
  reason: Nullable(Type.String()),
  createdAt: Type.String(),
  updatedAt: Type.String(),
});

export const NewLeaseSchema = Type.Object(
  {
    tenantId: Type.String({ minLength: 1 }),
    nodeId: Type.Optional(Type.String({ minLength: 1 })),
    resourceClass: Type.Optional(Type.String({ minLength: 1 })),
    count: Type.Optional(Type.Integer({ minimum: 1, maximum: 1000 })),
    start: Type.String({ format: 'date-time' }),
    end: Type.String({ format: 'date-time' }),
    networkIds: Type.Optional(Type.Array(Type.String({ minLength: 1 }), { maxItems: 16 })),
    diskId: Type.Optional(Type.String({ minLength: 1, maxLength: 200 })),
  },
  { additionalProperties: false },
);

export const HistorySchema = Type.Object({
  seq: Type.Integer(),
  at: Type.String(),
  event: Type.String(),
  from: Nullable(Type.String()),
  to: Nullable(Type.String()),
  detail: Nullable(Type.Record(Type.String(), Type.Unknown())),
});
