import type { FaultEvent, SeverityCode } from '../../../model/event.js';
import { baseEvent, toIso } from '../../event-builder.js';
import { jsonFramer } from '../../framing.js';
import { type DecodeContext, type DecodeResult, decoded, rejected, type Source } from '../../types.js';
import { fillIronic, fillLegacy, fillMasakari, fillMasakariNotification, fillNova } from './fields.js';
import { type Json, obj, objectName, osloTimeMs, PRIORITY_SEVERITY, str } from './json.js';
import { resolveRefs } from './refs.js';

interface Problem {
  reason: string;
  path: string;
}

interface Origin {
  original: string;
  ctx: DecodeContext;
  discriminator?: string;
}

const VERSIONED_DATA_RE = /^([a-z]+)_object\.data$/;

/** `nova-compute:compute`, `ironic-api.hostname02`, legacy `compute.host1` → service and host. */
function splitPublisher(publisher: string): { service: string; host?: string } {
  const colon = publisher.indexOf(':');
  const at = colon > 0 ? colon : publisher.indexOf('.');
  if (at <= 0) return { service: publisher };
  const host = publisher.slice(at + 1);
  return host === '' ? { service: publisher.slice(0, at) } : { service: publisher.slice(0, at), host };
}

function timestamp(ms: number | undefined, ctx: DecodeContext): { iso: string; received: boolean } {
  const iso = ms === undefined ? undefined : toIso(ms);
  if (iso !== undefined) return { iso, received: false };
  const received = ctx.receivedAt !== undefined ? toIso(ctx.receivedAt) : undefined;
  return { iso: received ?? new Date().toISOString(), received: true };
}

function outcome(eventType: string): 'success' | 'failure' | undefined {
  if (/\.(?:error|failure|failed)$/.test(eventType)) return 'failure';
  if (/\.(?:end|success)$/.test(eventType)) return 'success';
  return undefined;
}

function describe(event: FaultEvent, head: string): string {
  const parts = [head];
  const node = event['openstack.ironic.node_name'] ?? event['openstack.ironic.node_uuid'];
  if (node !== undefined && event['openstack.ironic.provision_state'] !== undefined) {
    const prev = event['openstack.ironic.previous_provision_state'];
    const power = event['openstack.ironic.power_state'];
    const prevPower = event['openstack.ironic.previous_power_state'];
    parts.push(
      `node ${node}: provision ${prev !== undefined ? `${prev} → ` : ''}${event['openstack.ironic.provision_state']}` +
        `, power ${prevPower !== undefined ? `${prevPower} → ` : ''}${power ?? '?'}` +
        (event['openstack.ironic.maintenance'] === true ? ', in maintenance' : ''),
    );
  }
  const masakariType = event['openstack.masakari.type'];
  if (masakariType !== undefined) {
    const what = event['openstack.masakari.event'] ?? event['openstack.masakari.status'];
    parts.push(`${masakariType}${what !== undefined ? ` ${what}` : ''}`);
  }
  if (event['error.type'] !== undefined || event['error.message'] !== undefined) {
    parts.push([event['error.type'], event['error.message']].filter(Boolean).join(': '));
  }
  return parts.join(': ');
}

function finish(event: FaultEvent): FaultEvent {
  if (event['event.severity'] <= 3) event['event.type'] = ['error'];
  return event;
}

/** One oslo.messaging notification (versioned or legacy) into its event. */
function fromNotification(n: Json, path: string, origin: Origin): FaultEvent | Problem {
  const eventType = str(n.event_type);
  if (eventType === undefined) return { reason: 'not an OpenStack notification: no event_type', path };
  const priority = str(n.priority)?.toUpperCase();
  let severity: SeverityCode = (priority !== undefined ? PRIORITY_SEVERITY[priority] : undefined) ?? 6;
  const time = timestamp(osloTimeMs(n.timestamp), origin.ctx);
  const event = baseEvent(
    {
      source: 'openstack-notification',
      dataset: 'openstack.notification',
      original: origin.original,
      timestamp: time.iso,
      severity,
      message: eventType,
      ...(origin.discriminator !== undefined ? { discriminator: origin.discriminator } : {}),
    },
    origin.ctx,
  );
  event['event.action'] = eventType;
  event['cloud.provider'] = 'openstack';
  if (priority !== undefined) event['log.level'] = priority;
  if (time.received) event['openstack.notification.time_source'] = 'received';
  const result = outcome(eventType);
  if (result !== undefined) event['event.outcome'] = result;
  const messageId = str(n.message_id);
  if (messageId !== undefined) event['openstack.notification.message_id'] = messageId;
  const publisherId = str(n.publisher_id);
  const publisher = publisherId !== undefined ? splitPublisher(publisherId) : undefined;
  if (publisherId !== undefined) {
    event['openstack.notification.publisher_id'] = publisherId;
    event['service.name'] = publisher!.service;
  }

  let payload: unknown = n.payload;
  // Only nova's doc samples use $ref; skip the deep copy for the real traffic that never does.
  if (typeof payload === 'object' && payload !== null && origin.original.includes('$ref')) {
    const { value, unresolved } = resolveRefs(payload);
    payload = value;
    if (unresolved.length > 0) event['openstack.notification.unresolved_ref'] = unresolved;
  }
  const p = obj(payload) ?? {};
  let namespace: string | undefined;
  let data: Json = p;
  for (const key in p) {
    const m = VERSIONED_DATA_RE.exec(key);
    if (m !== null) {
      namespace = m[1];
      data = obj(p[key]) ?? {};
      break;
    }
  }
  const payloadName = objectName(p);
  event['openstack.notification.versioned'] = namespace !== undefined;
  if (payloadName !== undefined) event['openstack.notification.payload_type'] = payloadName;

  let host: string | undefined;
  if (namespace === 'ironic' || (namespace === undefined && eventType.startsWith('baremetal.'))) {
    host = fillIronic(event, data, payloadName, eventType);
    if (event['openstack.ironic.fault'] !== undefined && severity > 4) severity = 4;
  } else if (namespace === 'masakari') host = fillMasakari(event, data, payloadName);
  else if (namespace !== undefined) host = fillNova(event, data, payloadName);
  else host = fillLegacy(event, data);

  const project =
    str(data.tenant_id) ??
    str(data.project_id) ??
    str(n._context_project_id) ??
    str(n._context_tenant_id) ??
    str(n._context_tenant);
  if (event['cloud.project.id'] === undefined && project !== undefined) event['cloud.project.id'] = project;
  const user = str(data.user_id) ?? str(n._context_user_id) ?? str(n._context_user);
  if (user !== undefined) event['user.id'] = user;
  const requestId = str(data.request_id) ?? str(n._context_request_id);
  if (requestId !== undefined) event['labels.request_id'] = requestId;
  const instance = str(data.instance_uuid);
  if (event['cloud.instance.id'] === undefined && instance !== undefined)
    event['cloud.instance.id'] = instance;
  const hostName = host ?? publisher?.host;
  if (hostName !== undefined) event['host.name'] = hostName;
  event['event.severity'] = severity;
  event.message = describe(event, eventType);
  return finish(event);
}

/** masakari failure-notification severities: a stopped compute host or service is an error. */
function masakariSeverity(type: string, payload: Json | undefined): SeverityCode {
  const what = `${str(payload?.event) ?? ''} ${str(payload?.vir_domain_event) ?? ''}`.toUpperCase();
  if (/STARTED|RUNNING|ONLINE/.test(what) && !/STOPPED|FAILED|CRASHED/.test(what)) return 6;
  if (type === 'COMPUTE_HOST' || type === 'PROCESS') return 3;
  return 4;
}

/** A masakari API body (`{"notification": {…}}`): what host monitors send when something fails. */
function fromMasakariApi(m: Json, path: string, origin: Origin): FaultEvent | Problem {
  const type = str(m.type);
  if (type === undefined) return { reason: 'masakari notification has no type', path: `${path}.type` };
  const p = obj(m.payload);
  const what = str(p?.event);
  const action = `masakari.${type.toLowerCase()}${what !== undefined ? `.${what.toLowerCase()}` : ''}`;
  const time = timestamp(osloTimeMs(m.generated_time) ?? osloTimeMs(m.created_at), origin.ctx);
  const event = baseEvent(
    {
      source: 'openstack-notification',
      dataset: 'openstack.notification',
      original: origin.original,
      timestamp: time.iso,
      severity: masakariSeverity(type, p),
      message: action,
      ...(origin.discriminator !== undefined ? { discriminator: origin.discriminator } : {}),
    },
    origin.ctx,
  );
  event['event.action'] = action;
  event['cloud.provider'] = 'openstack';
  event['service.name'] = 'masakari';
  if (time.received) event['openstack.notification.time_source'] = 'received';
  event['openstack.notification.versioned'] = false;
  fillMasakariNotification(event, m);
  const host = str(m.hostname);
  if (host !== undefined) event['host.name'] = host;
  event.message = describe(event, action);
  return finish(event);
}

function isProblem(v: FaultEvent | Problem): v is Problem {
  return 'reason' in v && 'path' in v;
}

/** The notification inside an oslo.messaging v2 envelope (a JSON string), or the value itself. */
function openEnvelope(value: unknown, path: string): { value: unknown; path: string } | Problem {
  const o = obj(value);
  if (o === undefined || o['oslo.message'] === undefined) return { value, path };
  const inner = o['oslo.message'];
  const at = `${path}["oslo.message"]`;
  if (typeof inner !== 'string') return { reason: 'oslo.message is not a JSON string', path: at };
  try {
    return { value: JSON.parse(inner), path: at };
  } catch (error) {
    return { reason: `oslo.message is not valid JSON: ${(error as Error).message}`, path: at };
  }
}

/** One JSON document, which may hold several notifications (a list, masakari's `notifications`). */
function fromDocument(doc: unknown, original: string, ctx: DecodeContext): DecodeResult {
  const opened = openEnvelope(doc, '$');
  if ('reason' in opened) return rejected(opened.reason, opened.path);
  const items: { value: unknown; path: string }[] = [];
  const top = obj(opened.value);
  if (Array.isArray(opened.value)) {
    for (let i = 0; i < opened.value.length; i++)
      items.push({ value: opened.value[i], path: `${opened.path}[${i}]` });
  } else if (top !== undefined && Array.isArray(top.notifications) && top.event_type === undefined) {
    for (let i = 0; i < top.notifications.length; i++) {
      items.push({ value: top.notifications[i], path: `${opened.path}.notifications[${i}]` });
    }
  } else items.push(opened);
  if (items.length === 0) return rejected('no notifications in the document', opened.path);

  const single = items.length === 1 && items[0] === opened;
  const events: FaultEvent[] = [];
  for (const item of items) {
    const origin: Origin = single ? { original, ctx } : { original, ctx, discriminator: item.path };
    // A list may hold raw bus messages, each in its own envelope.
    const inner = single ? item : openEnvelope(item.value, item.path);
    if ('reason' in inner) return rejected(inner.reason, inner.path);
    const value = obj(inner.value);
    const path = inner.path;
    if (value === undefined) return rejected('expected a JSON object', path);
    const wrapped = value.event_type === undefined ? obj(value.notification) : undefined;
    // masakari's API lists its failure notifications bare: type, payload, generated_time.
    const bare =
      value.event_type === undefined && str(value.type) !== undefined && value.generated_time !== undefined;
    const result =
      wrapped !== undefined
        ? fromMasakariApi(wrapped, `${path}.notification`, origin)
        : bare
          ? fromMasakariApi(value, path, origin)
          : fromNotification(value, path, origin);
    if (isProblem(result)) return rejected(result.reason, result.path);
    events.push(result);
  }
  return decoded(...events);
}

function decodeNotification(payload: string, ctx: DecodeContext): DecodeResult {
  let doc: unknown;
  try {
    doc = JSON.parse(payload);
  } catch (error) {
    return rejected(`invalid JSON: ${(error as Error).message}`, '$');
  }
  return fromDocument(doc, payload, ctx);
}

/**
 * OpenStack notifications from the message bus: the oslo.messaging v2 envelope or bare, nova
 * versioned (`nova_object.data`, with sample-style `$ref` payloads resolved against nova's common
 * payloads), ironic `baremetal.*` (provision, power and maintenance state), masakari (versioned
 * notifications and the failure notifications host monitors post), and legacy unversioned ones.
 * One JSON document a record: NDJSON or a single (pretty-printed) document.
 */
export const openstackNotificationSource: Source = {
  id: 'openstack-notification',
  dataset: 'openstack.notification',
  description: 'OpenStack notifications (nova, ironic, masakari; versioned and legacy; oslo envelope)',
  contentType: 'application/json',
  createFramer: jsonFramer,
  decode: decodeNotification,
};
