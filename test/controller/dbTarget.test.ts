import test from 'ava';
import { dbTarget } from '../../controller/store/dbTarget.js';

test('--db is an SQLite path unless it is a postgres:// or postgresql:// URL', (t) => {
  t.deepEqual(dbTarget('pathprobe.sqlite'), { engine: 'sqlite', path: 'pathprobe.sqlite', shown: 'pathprobe.sqlite' });
  t.deepEqual(dbTarget('/var/lib/postgres://odd'), { engine: 'sqlite', path: '/var/lib/postgres://odd', shown: '/var/lib/postgres://odd' });
  t.is(dbTarget('postgresql://pathprobe@db.example/runs').engine, 'postgres');
  t.is(dbTarget('POSTGRES://pathprobe@db.example/runs').engine, 'postgres');
});

test('a PostgreSQL URL is shown without its password, in the user part or the query, and kept whole for the driver', (t) => {
  const url = 'postgres://pathprobe:p%40ss-w0rd@db.example:5432/runs?sslmode=require&sslpassword=k3y';
  t.deepEqual(dbTarget(url), { engine: 'postgres', url, shown: 'postgres://pathprobe:***@db.example:5432/runs?sslmode=require&sslpassword=***' });
  t.is(dbTarget('postgres://pathprobe@db.example/runs').shown, 'postgres://pathprobe@db.example/runs');
  t.is(dbTarget('postgres://pathprobe:a@b@db.example/runs').shown, 'postgres://pathprobe:***@db.example/runs');
  // Not a URL the parser takes: everything before the @ goes.
  t.is(dbTarget('postgres://pathprobe:pw@[::1:5432/runs').shown, 'postgres://***@[::1:5432/runs');
});
