/**
 * infra/kubernetes as a cluster would get it: each overlay rendered by `kubectl kustomize`
 * and every object checked against the Kubernetes (and KEDA) JSON schemas of
 * kubernetes-models; then what an operator relies on: probes on /healthz and /readyz,
 * requests and limits, non-root containers (the Docker sidecar alone privileged), the
 * migration Job, the workers' disruption budget, and autoscalers that watch the queue the
 * workers really drain (the KEDA queries run against real BullMQ queues).
 */
import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { createBullmqPool, PostgresTransport, RedisTransport, THREADS_QUEUE } from '@gridbot/queue';
import { baseEnvShape } from '@gridbot/service';
import { Redis } from 'ioredis';
import { describe, expect, it } from 'vitest';
import { parseAllDocuments } from 'yaml';
import { REPO_ROOT } from '../support/gridbot-process.ts';
import { createTestDatabase } from '../support/test-database.ts';
import { createTestRedis } from '../support/test-redis.ts';

const run = promisify(execFile);
const OVERLAYS = ['redis', 'postgres-only', 'redis-hpa'] as const;

interface Probe {
  httpGet?: { path: string };
}
interface Container {
  name: string;
  image: string;
  livenessProbe?: Probe;
  readinessProbe?: Probe;
  resources?: { requests?: Record<string, string>; limits?: Record<string, string> };
  securityContext?: { privileged?: boolean; runAsNonRoot?: boolean; runAsUser?: number };
}
interface PodSpec {
  securityContext?: { runAsNonRoot?: boolean; runAsUser?: number };
  containers: Container[];
}
interface K8sObject {
  apiVersion: string;
  kind: string;
  metadata: { name: string; namespace?: string };
  spec?: Record<string, unknown> & { template?: { spec: PodSpec } };
  data?: Record<string, string>;
}

async function render(overlay: string): Promise<K8sObject[]> {
  const { stdout } = await run(
    'kubectl',
    ['kustomize', join(REPO_ROOT, 'infra/kubernetes/overlays', overlay)],
    { maxBuffer: 16 * 1024 * 1024 },
  ).catch((error: NodeJS.ErrnoException) => {
    if (error.code === 'ENOENT')
      throw new Error('kubectl (1.27 or newer) is needed to render infra/kubernetes');
    throw error;
  });
  return parseAllDocuments(stdout).map((doc) => doc.toJS() as K8sObject);
}

/** The kubernetes-models class of an object's apiVersion and kind. */
async function modelOf(object: K8sObject): Promise<new (data: unknown) => { validate(): void }> {
  const [group, version] = object.apiVersion.includes('/')
    ? object.apiVersion.split('/')
    : ['', object.apiVersion];
  const module = (await (group === 'keda.sh'
    ? import(`@kubernetes-models/keda/keda.sh/${version}`)
    : import(
        group ? `kubernetes-models/${group}/${version}` : `kubernetes-models/${version}`
      ))) as Record<string, new (data: unknown) => { validate(): void }>;
  const model = module[object.kind];
  if (!model) throw new Error(`no schema for ${object.apiVersion} ${object.kind}`);
  return model;
}

const find = (objects: K8sObject[], kind: string, name: string) =>
  objects.find((o) => o.kind === kind && o.metadata.name === name);
/** The first trigger of the workers' ScaledObject. */
function trigger(objects: K8sObject[]): { type: string; metadata: Record<string, string> } {
  const scaled = find(objects, 'ScaledObject', 'gridbot-worker');
  const triggers = scaled?.spec?.triggers as Array<{
    type: string;
    metadata: Record<string, string>;
  }>;
  if (!triggers?.[0]) throw new Error('no ScaledObject trigger for gridbot-worker');
  return triggers[0];
}

describe.each(OVERLAYS)('infra/kubernetes, overlay %s', (overlay) => {
  it('renders, and every object matches its schema, in the gridbot namespace', async () => {
    const objects = await render(overlay);
    expect(objects.length).toBeGreaterThan(10);
    for (const object of objects) {
      const Model = await modelOf(object);
      expect(
        () => new Model(object).validate(),
        `${object.kind} ${object.metadata.name}`,
      ).not.toThrow();
      if (object.kind !== 'Namespace') expect(object.metadata.namespace).toBe('gridbot');
    }
  });

  it('probes, sizes and runs every GridBot container as a user other than root', async () => {
    const objects = await render(overlay);
    // GridBot's workloads (the redis overlay's Redis StatefulSet is not one).
    const deployments = objects.filter(
      (o) =>
        (o.kind === 'Deployment' || o.kind === 'StatefulSet') &&
        o.metadata.name.startsWith('gridbot-'),
    );
    expect(deployments.map((d) => `${d.kind} ${d.metadata.name}`).sort()).toEqual([
      'Deployment gridbot-dashboard',
      'Deployment gridbot-gateway-telegram',
      'Deployment gridbot-scheduler',
      'Deployment gridbot-worker',
      // One replica per shard, each taking its shard from its pod name's ordinal.
      'StatefulSet gridbot-gateway-discord',
    ]);
    expect(find(objects, 'StatefulSet', 'gridbot-gateway-discord')?.spec).toMatchObject({
      podManagementPolicy: 'Parallel',
    });
    for (const deployment of deployments) {
      const pod = deployment.spec!.template!.spec;
      for (const container of pod.containers) {
        const where = `${deployment.metadata.name}/${container.name}`;
        expect(container.resources?.requests?.memory, where).toBeDefined();
        expect(container.resources?.limits?.memory, where).toBeDefined();
        if (container.name === 'docker') {
          // Docker-in-Docker, the agents' engine: the one privileged container.
          expect(deployment.metadata.name).toBe('gridbot-worker');
          expect(container.securityContext?.privileged).toBe(true);
          continue;
        }
        expect(container.image, where).toMatch(/^gridbot(:|$)/);
        expect(container.livenessProbe?.httpGet?.path, where).toBe('/healthz');
        expect(container.readinessProbe?.httpGet?.path, where).toBe('/readyz');
        const nonRoot =
          container.securityContext?.runAsNonRoot ?? pod.securityContext?.runAsNonRoot;
        const user = container.securityContext?.runAsUser ?? pod.securityContext?.runAsUser;
        expect(nonRoot, where).toBe(true);
        expect(user, where).not.toBe(0);
        expect(container.securityContext?.privileged, where).toBeUndefined();
      }
    }
    const migrate = find(objects, 'Job', 'gridbot-migrate');
    expect(migrate?.spec?.template?.spec.containers[0]).toMatchObject({ args: ['migrate'] });
    expect(find(objects, 'PodDisruptionBudget', 'gridbot-worker')?.spec).toMatchObject({
      minAvailable: 1,
      selector: { matchLabels: { 'app.kubernetes.io/name': 'gridbot-worker' } },
    });
    const redisUrl = find(objects, 'ConfigMap', 'gridbot-config')?.data?.REDIS_URL;
    expect(redisUrl).toBe(overlay === 'postgres-only' ? undefined : 'redis://redis:6379');
  });
});

describe('the worker autoscalers', () => {
  it('redis: KEDA watches the wait list BullMQ fills for the threads queue', async () => {
    const { metadata } = trigger(await render('redis'));
    const prefix = baseEnvShape.QUEUE_PREFIX.parse(undefined);
    expect(metadata.listName).toBe(`${prefix}:${THREADS_QUEUE}:wait`);
    // The same key shape under a prefix of the test's own: one job waiting, length 1.
    const redis = createTestRedis();
    const transport = new RedisTransport({
      url: redis.url,
      prefix: redis.prefix,
      connectionName: 'k8s-test',
    });
    const client = new Redis(redis.url);
    try {
      await transport.createQueue(THREADS_QUEUE).add('drain', {});
      const key = metadata.listName!.replace(prefix, redis.prefix);
      expect(await client.llen(key)).toBe(1);
    } finally {
      client.disconnect();
      await transport.close();
      await redis.cleanup();
    }
  });

  it('postgres-only: KEDA’s query counts the threads queue’s waiting jobs', async () => {
    const { metadata } = trigger(await render('postgres-only'));
    expect(metadata.connectionFromEnv).toBe('DATABASE_URL');
    const database = await createTestDatabase();
    const transport = await PostgresTransport.open({
      pool: createBullmqPool({ connectionString: database.url, applicationName: 'k8s-test' }),
      ownsPool: true,
    });
    try {
      const queue = transport.createQueue(THREADS_QUEUE);
      await queue.add('drain', {});
      await queue.add('drain', {});
      await transport.createQueue('outbound-telegram').add('send', {});
      const pool = createBullmqPool({
        connectionString: database.url,
        applicationName: 'k8s-test',
      });
      try {
        const { rows } = await pool.query(metadata.query!);
        expect(Number(Object.values(rows[0] as object)[0])).toBe(2);
      } finally {
        await pool.end();
      }
    } finally {
      await transport.close();
      await database.drop();
    }
  });

  it('redis-hpa: the HPA reads the threads queue’s waiting depth the roles export', async () => {
    const hpa = find(await render('redis-hpa'), 'HorizontalPodAutoscaler', 'gridbot-worker');
    expect(hpa?.spec).toMatchObject({
      scaleTargetRef: { kind: 'Deployment', name: 'gridbot-worker' },
      metrics: [
        {
          type: 'External',
          external: {
            metric: {
              name: 'gridbot_queue_depth',
              selector: { matchLabels: { queue: THREADS_QUEUE, state: 'waiting' } },
            },
          },
        },
      ],
    });
  });
});
