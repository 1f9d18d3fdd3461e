/** `--db` of every command that reads or writes runs. */
export const DB_OPTION = { type: 'string', default: 'pathprobe.sqlite', describe: 'SQLite file holding every run' } as const;
