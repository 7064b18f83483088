import { parseArgs } from 'node:util';
import { issueApiKey } from '@planexe/auth';
import { loadServiceConfig, postgresUrl } from '@planexe/config';
import { parseUuid } from '@planexe/contracts';
import {
  createPgliteDb,
  createPostgresDb,
  createUser,
  findUserByEmail,
  getUser,
  grantCredits,
  listApiKeys,
  listPlans,
  migrate,
  revokeApiKey,
  setExample,
  type Db,
} from '@planexe/db';

const USAGE = `planexe admin — manage users, API keys, credits and example plans

  planexe admin user create --email a@b.c [--name N] [--credits 10] [--admin]
  planexe admin user show --user <id|email>          balance, keys and recent plans
  planexe admin key create --user <id|email> [--label L]   prints the key ONCE
  planexe admin key list --user <id|email>
  planexe admin key revoke <key-id|key-prefix>
  planexe admin credits grant --user <id|email> --amount 5
  planexe admin example <plan_id> [--off]            publish a completed plan in example_plans

Database: SQLALCHEMY_DATABASE_URI / PLANEXE_POSTGRES_* (distributed), else the standalone PGlite data in
PLANEXE_DATA_DIR (stop \`npm start\` first: the embedded database has one writer). Keys are hashed with
PLANEXE_API_KEY_SECRET, which must match the server's.`;

async function resolveUser(db: Db, ref: string | undefined) {
  if (!ref) throw new Error('--user is required');
  const u = parseUuid(ref) ? await getUser(db, parseUuid(ref)!) : await findUserByEmail(db, ref);
  if (!u) throw new Error(`no user ${ref}`);
  return u;
}

export async function runAdmin(argv: string[], env: Record<string, string | undefined> = process.env, out: (s: string) => void = (s) => void process.stdout.write(s + '\n')): Promise<number> {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      email: { type: 'string' },
      name: { type: 'string' },
      credits: { type: 'string' },
      admin: { type: 'boolean' },
      user: { type: 'string' },
      label: { type: 'string' },
      amount: { type: 'string' },
      off: { type: 'boolean' },
      help: { type: 'boolean', short: 'h' },
    },
  });
  const [group, action, arg] = positionals[0] === 'admin' ? positionals.slice(1) : positionals;
  if (values.help || !group) {
    out(USAGE);
    return group ? 0 : 2;
  }
  const cfg = loadServiceConfig('standalone', env);
  const url = postgresUrl(cfg);
  const h = url ? createPostgresDb(url, { max: 2 }) : await createPgliteDb(cfg.PLANEXE_DATA_DIR);
  try {
    await migrate(h.db);
    const db = h.db;
    const num = (v: string | undefined, name: string) => {
      const n = Number(v);
      if (v === undefined || !Number.isFinite(n)) throw new Error(`--${name} must be a number`);
      return n;
    };
    if (group === 'user' && action === 'create') {
      if (!values.email) throw new Error('--email is required');
      const u = await createUser(db, { email: values.email, name: values.name, isAdmin: !!values.admin, credits: values.credits ? num(values.credits, 'credits') : 0 });
      out(JSON.stringify({ id: u.id, email: u.email, credits_balance: String(u.credits_balance), is_admin: u.is_admin }));
    } else if (group === 'user' && action === 'show') {
      const u = await resolveUser(db, values.user);
      const keys = await listApiKeys(db, u.id);
      const plans = await listPlans(db, u.id, 20);
      out(JSON.stringify({
        id: u.id,
        email: u.email,
        credits_balance: String(u.credits_balance),
        keys: keys.map((k) => ({ id: k.id, prefix: k.key_prefix, label: k.label, revoked: !!k.revoked_at, last_used_at: k.last_used_at })),
        plans: plans.map((p) => ({ plan_id: p.id, state: p.state, created_at: p.timestamp_created })),
      }, null, 2));
    } else if (group === 'key' && action === 'create') {
      const u = await resolveUser(db, values.user);
      const { key, row } = await issueApiKey(db, u.id, cfg.PLANEXE_API_KEY_SECRET, values.label);
      out(JSON.stringify({ key_id: row.id, prefix: row.key_prefix, key }));
      process.stderr.write('The key is shown once; only its hash is stored.\n');
    } else if (group === 'key' && action === 'list') {
      const u = await resolveUser(db, values.user);
      for (const k of await listApiKeys(db, u.id)) out(JSON.stringify({ id: k.id, prefix: k.key_prefix, label: k.label, revoked: !!k.revoked_at }));
    } else if (group === 'key' && action === 'revoke') {
      if (!arg) throw new Error('key id or prefix required');
      const n = await revokeApiKey(db, arg);
      if (!n) throw new Error(`no active key ${arg}`);
      out(JSON.stringify({ revoked: n }));
    } else if (group === 'credits' && action === 'grant') {
      const u = await resolveUser(db, values.user);
      out(JSON.stringify({ user_id: u.id, credits_balance: await grantCredits(db, u.id, num(values.amount, 'amount')) }));
    } else if (group === 'example') {
      const id = parseUuid(action);
      if (!id || !(await setExample(db, id, !values.off))) throw new Error(`no plan ${action}`);
      out(JSON.stringify({ plan_id: id, is_example: !values.off }));
    } else {
      out(USAGE);
      return 2;
    }
    return 0;
  } catch (e) {
    process.stderr.write(`planexe admin: ${e instanceof Error ? e.message : String(e)}\n`);
    return 1;
  } finally {
    await h.close();
  }
}
