/** Number and date text for the report. Pure: no locale, no clock. */

export function gbit(bitsPerSecond: number): string {
  return (bitsPerSecond / 1e9).toFixed(1);
}

export function percent(ratio: number, digits = 0): string {
  return `${(ratio * 100).toFixed(digits)} %`;
}

/** '2025-06-12T08:30:00.000Z' → '2025-06-12 08:30:00 UTC'; anything else unchanged. */
export function utc(iso: string | null): string {
  if (iso === null) return '—';
  const m = /^(\d{4}-\d\d-\d\d)T(\d\d:\d\d:\d\d)(?:\.\d+)?Z$/.exec(iso);
  return m ? `${m[1]} ${m[2]} UTC` : iso;
}

export function duration(fromIso: string, toIso: string | null): string {
  if (toIso === null) return '—';
  const ms = Date.parse(toIso) - Date.parse(fromIso);
  if (!Number.isFinite(ms) || ms < 0) return '—';
  const s = Math.round(ms / 1000);
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  return h > 0 ? `${h} h ${m} min` : `${m} min ${s % 60} s`;
}

export function speed(mbps: number | null): string {
  if (mbps === null || mbps <= 0) return 'unknown';
  return mbps >= 1000 ? `${mbps / 1000} Gbit/s` : `${mbps} Mbit/s`;
}
