import type { SourceId } from './types.js';

/**
 * What each source reads, in the words of the tool that writes it, and what it knowingly refuses
 * (each refusal is a dead letter with a reason, never a silent drop). Plain data: `faultline parse
 * --help` prints it without loading a decoder, and `GET /v1/sources` serves it.
 */
export interface InputForms {
  accepted: readonly string[];
  refused: readonly string[];
}

export const INPUT_FORMS: Readonly<Partial<Record<SourceId, InputForms>>> = {
  'openstack-log': {
    accepted: [
      'oslo.log text: YYYY-MM-DD HH:MM:SS.mmm PID LEVEL logger [context] [instance: uuid] message',
      "Loghub's file-name prefix (nova-api.log.1.2017-05-16_13:53:08 …)",
      'tracebacks, and older TRACE-prefixed lines, folded into the record that raised them',
      'excerpts pasted with a leading indent on every line',
      'journald/syslog-wrapped lines (devstack `Mon DD HH:MM:SS host nova-compute[pid]: LEVEL logger …`, ANSI colours)',
      'oslo.log JSONFormatter lines',
    ],
    refused: [
      'Python logging without the oslo head (INFO:root:…)',
      'API access logs (uwsgi, Apache)',
      'records over 1 MiB or with NUL bytes',
    ],
  },
  'openstack-notification': {
    accepted: [
      'oslo.messaging notifications, v1 and v2 envelopes (oslo.message as a JSON string)',
      'nova, ironic and masakari notifications, versioned and legacy',
      'NDJSON, one pretty-printed document, or documents back to back',
    ],
    refused: [
      'documents without a notification in them',
      'JSON values that are not objects',
      'text that is not JSON',
    ],
  },
  'ipmi-sel': {
    accepted: [
      'ipmitool sel list / elist (1.8.11 to 1.8.19: zones, 12-hour clock), sel get / -v sel list blocks',
      'FreeIPMI ipmi-sel, with --output-event-state and -v; pdsh/hostrange node prefixes',
      'ipmiutil sel / events',
      'OpenBMC log-util --print (SEL Entry lines, ipmid thresholds, daemon text)',
      'BMC web-UI exports with `MM/DD/YYYY, HH:MM:SS` in one column',
      'PCIe bus/device/function in the text (B5d/D03/F02, Bus 5D/Dev 03/Fun 02) as the AER hw.id',
    ],
    refused: [
      'records the tool itself could not decode (FreeIPMI "Unknown SEL Record Type", ipmiutil raw TypeNN bytes)',
      'dates in other orders (DD.MM.YYYY)',
      'records over 64 KiB',
    ],
  },
  redfish: {
    accepted: [
      'LogEntry, LogEntryCollection (one record per member), EventService event payloads',
      'a bare JSON array of LogEntry objects',
      'Dell iDRAC enums as arrays of {"Member": …} (EntryCode, SensorType)',
      'SEL entries read with the IPMI tables, MessageIds with the DMTF and OpenBMC registries',
    ],
    refused: ['JSON that is no LogEntry or event', 'text that is not JSON', 'documents over 16 MiB'],
  },
  'dpu-metrics': {
    accepted: [
      'Prometheus / OpenMetrics text exposition (node_exporter netdev and ethtool, OVS exporters)',
      'JSON lines {timestamp, host, dpu, port, counters, gauges, labels}',
      'ovs-ofctl dump-ports',
      'ip -s -s link (iproute2 old and new column layouts) and ip -j -s -s link (one-line JSON)',
      'ethtool -S <if> (the interface from the pasted command line)',
      'ovs-appctl dpctl/show [-s] (lookups with lost upcalls, masks, cache, per-port stats)',
      'ovs-appctl dpctl/dump-flows and ovs-ofctl / bridge dump-flows (per-flow packets and bytes, offloaded or not)',
      'ovs-vsctl list interface (statistics map, link_resets, link_speed)',
      'DPDK testpmd show port stats / show fwd stats (RX-missed, RX-nombuf) and l2fwd statistics',
    ],
    refused: [
      'ip -h human-readable values (409M is no counter)',
      'ethtool -i / ethtool <if> settings, /proc/mdstat, /proc/net/softnet_stat (no per-port counters)',
      'dump-flows lines wrapped over two lines by a terminal or an editor',
      'negative counters, non-numeric values',
    ],
  },
  'dpu-flow': {
    accepted: ['goflow2 / IPFIX JSON lines', 'Telegraf netflow line protocol'],
    refused: [
      'raw NetFlow/IPFIX/sFlow packets (decode them with goflow2 first)',
      'other Telegraf measurements',
    ],
  },
  smart: {
    accepted: ['smartctl --json (ATA, NVMe, SCSI): NDJSON, pretty-printed or concatenated documents'],
    refused: [
      'smartctl text output (-a without --json)',
      'smartctl --scan output (device lists, no health data)',
      'JSON without a smartctl device object',
    ],
  },
  fleet: {
    accepted: [
      "Faultline's own fleet events (lease, provisioning, power, maintenance) as JSON",
      'Ironic node notifications (baremetal.node.*)',
    ],
    refused: ['unknown fleet event types', 'events without their time (at)', 'text that is not JSON'],
  },
  syslog: {
    accepted: [
      'RFC 5424, RFC 3164 (with or without <PRI>), ISO-timestamped syslog',
      'year-less dates: the most recent date not after the receive time (syslog.time_source: year_inferred)',
      'dmesg (uptime, -T ctime and relative)',
      'kernel EDAC, MCE (bank and error code decide memory or cpu), PCIe AER, block-layer errors',
      'rasdaemon ras-mc-ctl --errors / --summary rows',
      'Loghub Linux, Thunderbird, HPC and HDFS layouts; plain text at receive time',
    ],
    refused: ['empty lines', 'lines with NUL bytes or lone surrogates', 'lines over 64 KiB'],
  },
};

/** The input forms of a source, for help texts and the API (empty lists for a source without any). */
export function inputFormsOf(id: SourceId): InputForms {
  return INPUT_FORMS[id] ?? { accepted: [], refused: [] };
}

/** `faultline parse --help`: every source with the input forms it reads. */
export function inputFormsHelp(): string {
  const lines = ['', 'Sources and the input forms they read:'];
  for (const [id, forms] of Object.entries(INPUT_FORMS)) {
    lines.push(`  ${id}`);
    for (const f of forms!.accepted) lines.push(`    - ${f}`);
  }
  lines.push('', 'Each rejected record goes to stderr with its line and the reason.');
  return `${lines.join('\n')}\n`;
}
