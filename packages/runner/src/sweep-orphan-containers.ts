import type Docker from 'dockerode';
import type { Logger } from 'pino';
import { CONTAINER_LABELS } from './container-spec.ts';

export interface SweepOrphanContainersOptions {
  docker: Docker;
  /** Only containers of this fleet are considered; other installs on the engine are left alone. */
  fleet: string;
  /** The sweeping worker; its own containers are never orphans. */
  workerId: string;
  /** Whether the worker of that id is still running. */
  isAlive: (workerId: string) => boolean | Promise<boolean>;
  logger: Logger;
}

/**
 * Removes the fleet's containers whose worker is gone (crashed or killed): those labelled
 * with a worker id for which `isAlive` says no. A container that cannot be removed (already
 * gone) is skipped. Returns how many it removed.
 */
export async function sweepOrphanContainers(
  options: SweepOrphanContainersOptions,
): Promise<number> {
  const { docker, fleet, workerId, isAlive, logger } = options;
  const containers = await docker.listContainers({
    all: true,
    filters: {
      label: [`${CONTAINER_LABELS.managed}=1`, `${CONTAINER_LABELS.fleet}=${fleet}`],
    },
  });
  let removed = 0;
  for (const info of containers) {
    const owner = info.Labels[CONTAINER_LABELS.worker] ?? '';
    if (owner === workerId || (await isAlive(owner))) continue;
    await docker
      .getContainer(info.Id)
      .remove({ force: true })
      .then(() => {
        removed++;
        logger.info(
          { container: info.Id.slice(0, 12), worker: owner },
          'removed orphaned agent container',
        );
      })
      .catch(() => {});
  }
  return removed;
}
