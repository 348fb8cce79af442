import type { Duplex } from 'node:stream';
import { PassThrough } from 'node:stream';
import type Docker from 'dockerode';
import type { Logger } from 'pino';
import type { AgentExit, AgentProcess } from './agent-runtime.ts';
import { demuxAttachStream } from './demux-attach-stream.ts';

export interface ContainerProcessOptions {
  /** Bytes of stdout plus stderr after which the container is stopped. */
  outputBytes: number;
  /** Grace between SIGTERM and SIGKILL when stopping the container. */
  stopGraceMs: number;
  log: Logger;
}

/** A `wait` that failed sooner than this was refused, not cut by an idle timeout. */
const CUT_WAIT_MS = 1_000;

/**
 * The container's exit status from the engine's `wait`, a long-poll held open until the
 * container exits. A socket proxy in front of the engine may cut it at its idle timeout
 * (HAProxy's `timeout server`, 10 minutes in docker-socket-proxy) while the agent runs on:
 * then it waits again, as long as the container is still running.
 */
async function waitForExit(container: Docker.Container): Promise<{ StatusCode: number }> {
  for (;;) {
    const began = Date.now();
    try {
      return await container.wait();
    } catch (error) {
      const state = await container.inspect().then(
        (info) => info.State,
        () => null,
      );
      if (state?.Status === 'exited') return { StatusCode: state.ExitCode };
      if (!state?.Running || Date.now() - began < CUT_WAIT_MS) throw error;
    }
  }
}

/**
 * A started container as an `AgentProcess`: stdio over the attached socket, its end from the
 * engine's wait (with the OOM verdict), and the container removed once it has exited.
 */
export function containerProcess(
  container: Docker.Container,
  socket: Duplex,
  options: ContainerProcessOptions,
): AgentProcess {
  const { log } = options;
  const stdout = new PassThrough();
  const stderr = new PassThrough();
  const stdin = new PassThrough();
  stdin.pipe(socket);
  socket.on('error', (error) => log.debug({ err: error }, 'attach stream error'));
  let reason: string | undefined;
  let stopping: Promise<void> | null = null;
  const stop = (why?: string): Promise<void> => {
    reason ??= why;
    stopping ??= container
      .stop({ t: Math.ceil(options.stopGraceMs / 1000) })
      .then(() => undefined)
      .catch(() => undefined);
    return stopping;
  };

  demuxAttachStream(socket, {
    stdout,
    stderr,
    maxBytes: options.outputBytes,
    onOverflow: () => void stop(`output exceeded ${options.outputBytes} bytes`),
  });
  socket.once('close', () => {
    stdout.end();
    stderr.end();
  });

  const exited: Promise<AgentExit> = waitForExit(container)
    .then(async (result: { StatusCode: number }) => {
      const info = await container.inspect().catch(() => null);
      return {
        code: result.StatusCode,
        signal: null,
        oomKilled: info?.State.OOMKilled ?? false,
        ...(reason && { reason }),
      };
    })
    .catch((error: Error) => ({
      code: null,
      signal: null,
      reason: `lost the container: ${error.message}`,
    }))
    .then(async (exit) => {
      stdout.end();
      stderr.end();
      socket.destroy();
      await container
        .remove({ force: true })
        .catch((error: Error) => log.warn({ err: error }, 'could not remove container'));
      log.debug(exit, 'agent container exited');
      return exit;
    });

  return {
    id: container.id,
    stdin,
    stdout,
    stderr,
    exited,
    kill: async () => {
      await stop();
      await exited;
    },
  };
}
