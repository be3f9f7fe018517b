/** What the simulator tracks of one disk's health between polls. */
export interface DiskHealth {
  serial: string;
  model: string;
  kind: 'ata' | 'nvme';
  device: string;
  powerOnHours: number;
  powerCycles: number;
  temperature: number;
  reallocated: number;
  pending: number;
  /** NVMe: percent of the spare area left, and media errors. */
  spare: number;
  mediaErrors: number;
  percentUsed: number;
  failed: boolean;
}

function ataAttribute(
  id: number,
  name: string,
  value: number,
  thresh: number,
  raw: number,
  prefail: boolean,
) {
  return {
    id,
    name,
    value,
    worst: value,
    thresh,
    when_failed: value <= thresh ? 'now' : '',
    flags: { value: prefail ? 51 : 50, string: prefail ? 'PO--CK ' : '-O--CK ', prefailure: prefail },
    raw: { value: raw, string: String(raw) },
  };
}

/** `smartctl --json --all <dev>` output for one disk (smartctl 7.3 field names). */
export function smartctlJson(time: number, d: DiskHealth): string {
  const exit = d.failed ? 8 : 0;
  const common = {
    json_format_version: [1, 0],
    smartctl: {
      version: [7, 3],
      svn_revision: '5338',
      platform_info: 'x86_64-linux-5.15.0',
      exit_status: exit,
    },
    local_time: { time_t: Math.floor(time / 1000), asctime: new Date(time).toUTCString() },
    model_name: d.model,
    serial_number: d.serial,
    smart_status: { passed: !d.failed },
    power_on_time: { hours: Math.floor(d.powerOnHours) },
    power_cycle_count: d.powerCycles,
    temperature: { current: Math.round(d.temperature) },
  };
  if (d.kind === 'nvme') {
    const warning = d.spare < 10 ? 1 : 0;
    return JSON.stringify({
      ...common,
      device: { name: d.device, info_name: d.device, type: 'nvme', protocol: 'NVMe' },
      firmware_version: 'VDV10170',
      nvme_total_capacity: 4000787030016,
      nvme_smart_health_information_log: {
        critical_warning: warning,
        temperature: Math.round(d.temperature),
        available_spare: Math.round(d.spare),
        available_spare_threshold: 10,
        percentage_used: Math.round(d.percentUsed),
        media_errors: d.mediaErrors,
        num_err_log_entries: d.mediaErrors,
        power_cycles: d.powerCycles,
        power_on_hours: Math.floor(d.powerOnHours),
        unsafe_shutdowns: 3,
      },
    });
  }
  // Normalized value falls from 100 toward the vendor threshold as sectors are reallocated.
  const realloc = Math.max(1, 100 - Math.floor(d.reallocated / 40));
  return JSON.stringify({
    ...common,
    device: { name: d.device, info_name: `${d.device} [SAT]`, type: 'sat', protocol: 'ATA' },
    firmware_version: 'D3MU001',
    user_capacity: { blocks: 937703088, bytes: 480103981056 },
    rotation_rate: 0,
    ata_smart_attributes: {
      revision: 16,
      table: [
        ataAttribute(1, 'Raw_Read_Error_Rate', 100, 50, 0, true),
        ataAttribute(5, 'Reallocated_Sector_Ct', d.failed ? 9 : realloc, 10, d.reallocated, true),
        ataAttribute(9, 'Power_On_Hours', 100, 0, Math.floor(d.powerOnHours), false),
        ataAttribute(12, 'Power_Cycle_Count', 100, 0, d.powerCycles, false),
        ataAttribute(
          194,
          'Temperature_Celsius',
          100 - Math.round(d.temperature),
          0,
          Math.round(d.temperature),
          false,
        ),
        ataAttribute(197, 'Current_Pending_Sector', 100, 0, d.pending, false),
        ataAttribute(198, 'Offline_Uncorrectable', 100, 0, 0, false),
        ataAttribute(199, 'UDMA_CRC_Error_Count', 100, 0, 0, false),
      ],
    },
  });
}
