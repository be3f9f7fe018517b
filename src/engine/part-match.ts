import type { ComponentView } from '../model/topology.js';

/**
 * Finding a node's part from the name an event gives it. Decoders name parts as the source spells
 * them, inventories as the board is printed: EDAC says `CPU0_G1` or `DIMM_B1`, rasdaemon's label
 * files say `DIMMA1`, `CPU1_DIMM_A1`, `P1-DIMMA1` or `CHANNEL_A_DIMM_0`, Redfish says
 * `CPU0_DIMM_G1`; SMART names a disk by serial, the kernel by `sda` or `nvme0n1`.
 */

/** Words that say "a memory slot" and nothing about which one. */
const FILLER = new Set(['DIMM', 'CHANNEL', 'SLOT', 'MEMORY', 'MEM']);
/** How labels spell a socket before the slot (CPU0, P1, PROC2, SOCKET1, NODE0). */
const SOCKET = new Set(['CPU', 'P', 'PROC', 'SOCKET', 'NODE', 'CPUSOCKET']);

/**
 * A slot label as tokens: letters and numbers split apart, separators and filler words dropped, so
 * `CPU0_DIMM_G1`, `cpu0-g1` and `CPU0_G1` are one key, and `CPU1_DIMM11` stays apart from `CPU11_DIMM1`.
 */
export function slotKey(label: string): string {
  const tokens = label.toUpperCase().match(/[A-Z]+|[0-9]+/g) ?? [];
  return (
    tokens
      // `DIMMA1`: the filler word glued to the channel letter.
      .map((t) => (/^(?:DIMM|SLOT|CHANNEL)[A-Z]{1,2}$/.test(t) ? t.replace(/^(?:DIMM|SLOT|CHANNEL)/, '') : t))
      .filter((t) => !FILLER.has(t))
      .join('_')
  );
}

/** The key without its socket (`CPU_0_G_1` → `G_1`), or undefined when it names none. */
function withoutSocket(key: string): string | undefined {
  const [word, number, ...rest] = key.split('_');
  return word !== undefined && SOCKET.has(word) && /^[0-9]+$/.test(number ?? '') && rest.length > 0
    ? rest.join('_')
    : undefined;
}

/**
 * The component an event's part id names: the same id or serial; else the one whose id or board
 * label is the same slot (`CPU0_G1` = `CPU0_DIMM_G1`); else, for an id without a socket
 * (`DIMM_B1`), the only component of that slot on any socket. Undefined when none or ambiguous.
 */
export function findComponent(components: readonly ComponentView[], id: string): ComponentView | undefined {
  const exact = components.find((c) => c.id === id || (c.serial !== undefined && c.serial === id));
  if (exact !== undefined) return exact;
  const key = slotKey(id);
  if (key === '') return undefined;
  const labels = (c: ComponentView) => [slotKey(c.id), slotKey(c.location)];
  const same = components.filter((c) => labels(c).includes(key));
  if (same.length === 1) return same[0];
  if (same.length > 1 || withoutSocket(key) !== undefined) return undefined;
  const onSomeSocket = components.filter((c) => labels(c).some((k) => withoutSocket(k) === key));
  return onSomeSocket.length === 1 ? onSomeSocket[0] : undefined;
}

/** The kernel's name of a block device's disk: `sda1` → `sda`, `/dev/nvme0n1p2` → `nvme0`; else undefined. */
export function kernelDiskName(name: string): string | undefined {
  const base = name.startsWith('/dev/') ? name.slice(5) : name;
  const m = /^((?:sd|hd|vd|xvd)[a-z]+|nvme[0-9]+)(?:n[0-9]+)?(?:p?[0-9]+)?$/.exec(base);
  return m?.[1];
}
