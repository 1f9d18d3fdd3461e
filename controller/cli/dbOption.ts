/**
 * `--db` of every command that reads or writes runs. PATHPROBE_DB sets it for every command, e.g.
 * so a password in a postgres:// URL stays out of shell history and `ps`. The help text names the
 * variable, never its value.
 */
export const DB_OPTION = {
  type: 'string',
  default: process.env['PATHPROBE_DB'] || 'pathprobe.sqlite',
  defaultDescription: '$PATHPROBE_DB, else pathprobe.sqlite',
  describe: 'where every run is stored: an SQLite file, or a postgres://USER[:PASSWORD]@HOST[:PORT]/DATABASE URL',
} as const;
