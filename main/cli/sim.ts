// npm run sim -- --port N [--seed S] [--traffic PER_SECOND] [--strict]: all five provider simulators + the /_sim
// control API. --strict: only what each provider's document shows (DESIGN.md, "Strict mode").
import { parseArgs } from 'node:util';
import { startSimulators } from '../providers/simulators';

const { values } = parseArgs({
  options: {
    port: { type: 'string', default: '0' },
    seed: { type: 'string', default: '42' },
    traffic: { type: 'string', default: '0' },
    strict: { type: 'boolean', default: false },
  },
});
const port = Number(values.port);
if (!Number.isInteger(port) || port < 0 || port > 65535) {
  console.error(`--port must be 0..65535, got '${values.port}'`);
  process.exit(2);
}
const sims = await startSimulators({ port, seed: Number(values.seed) || 42, strict: values.strict });
sims.traffic(Number(values.traffic) || 0);
console.log(`simulators${sims.strict ? ' (strict)' : ''}: control API at ${sims.controlUrl}/_sim/providers`);
for (const p of sims.providers()) console.log(`  ${p.provider.padEnd(18)} ${p.baseUrl}`);
const stop = () => void sims.close().then(() => process.exit(0));
process.on('SIGINT', stop);
process.on('SIGTERM', stop);
