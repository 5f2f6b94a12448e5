// What counts as a database handle and as a server (lib/postgres/database.ts): the checks that let
// ElixirDeployment tell a database from a DATABASE_URL Secret, and PostgresBackup a server from a database on it
// (PostgresBackup on either server: postgres-cluster.test.ts).
import { isPostgresDatabase, isPostgresServer } from '../../lib/postgres/database';

const fn = () => undefined;
const handle = { addClient: fn, databaseUrlEnv: fn };
const server = { ...handle, name: 'pg', storageClassName: 'fast', runAsUser: 26 };

test.each<[string, unknown, boolean]>([
  ['an object with addClient and databaseUrlEnv', handle, true],
  ['without addClient', { databaseUrlEnv: fn }, false],
  ['without databaseUrlEnv', { addClient: fn }, false],
  ['with them as values, not functions', { addClient: 1, databaseUrlEnv: 'x' }, false],
  ['a function carrying them', Object.assign(() => undefined, handle), false],
  ['null', null, false],
  ['undefined', undefined, false],
  ['a string', 'postgres://', false],
])('isPostgresDatabase: %s → %s', (_, value, expected) => {
  expect(isPostgresDatabase(value)).toBe(expected);
});

test.each<[string, unknown, boolean]>([
  ['a handle with name, storageClassName and runAsUser', server, true],
  ['without name', { ...server, name: undefined }, false],
  ['without storageClassName', { ...server, storageClassName: undefined }, false],
  ['without runAsUser', { ...server, runAsUser: undefined }, false],
  ['with runAsUser as text', { ...server, runAsUser: '26' }, false],
  ['with a name but no handle methods', { name: 'pg', storageClassName: 'fast', runAsUser: 26 }, false],
  ['null', null, false],
])('isPostgresServer: %s → %s', (_, value, expected) => {
  expect(isPostgresServer(value)).toBe(expected);
});
