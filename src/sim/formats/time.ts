const pad2 = (n: number) => String(n).padStart(2, '0');
const pad3 = (n: number) => String(n).padStart(3, '0');

/** `2026-12-07 02:31:44.123`: oslo.log's default timestamp (UTC on these hosts). */
export function osloTime(ms: number): string {
  const d = new Date(ms);
  return `${d.getUTCFullYear()}-${pad2(d.getUTCMonth() + 1)}-${pad2(d.getUTCDate())} ${pad2(d.getUTCHours())}:${pad2(d.getUTCMinutes())}:${pad2(d.getUTCSeconds())}.${pad3(d.getUTCMilliseconds())}`;
}

/** `12/07/2026` and `02:31:44`: the date and time columns of `ipmitool sel elist` (BMC clock in UTC). */
export function selDateTime(ms: number): [string, string] {
  const d = new Date(ms);
  return [
    `${pad2(d.getUTCMonth() + 1)}/${pad2(d.getUTCDate())}/${d.getUTCFullYear()}`,
    `${pad2(d.getUTCHours())}:${pad2(d.getUTCMinutes())}:${pad2(d.getUTCSeconds())}`,
  ];
}

export function isoTime(ms: number): string {
  return new Date(ms).toISOString();
}

/** Redfish writes offsets rather than `Z` (`2026-12-07T02:31:44+00:00`). */
export function redfishTime(ms: number): string {
  return `${new Date(Math.floor(ms / 1000) * 1000).toISOString().slice(0, 19)}+00:00`;
}
