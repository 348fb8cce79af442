import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';

/**
 * The offline image build of a source checkout (`pnpm agent:image`), or null where there is
 * none (the bundled CLI of the production image, whose workers use a pre-built image).
 */
export function offlineImageScript(): string | null {
  const script = fileURLToPath(
    new URL('../../../infra/agent/build-offline-image.sh', import.meta.url),
  );
  return existsSync(script) ? script : null;
}

export interface BuildAgentImageOptions {
  /** The tag to build, e.g. `gridbot-agent:latest`. */
  image: string;
  /** The build script (see `offlineImageScript`). */
  script: string;
  /** Each line the build prints, as it prints it. */
  onProgress: (line: string) => void;
  /** Passed to the build (DOCKER_HOST and PATH matter). */
  env?: NodeJS.ProcessEnv;
}

/** Builds the agent image; rejects with the build's last lines when it fails. */
export function buildAgentImage(options: BuildAgentImageOptions): Promise<void> {
  const child = spawn('bash', [options.script, options.image], {
    env: options.env ?? process.env,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const tail: string[] = [];
  const onLine = (line: string) => {
    if (!line.trim()) return;
    tail.push(line);
    if (tail.length > 10) tail.shift();
    options.onProgress(line);
  };
  createInterface({ input: child.stdout }).on('line', onLine);
  createInterface({ input: child.stderr }).on('line', onLine);
  return new Promise((resolve, reject) => {
    child.once('error', (error) =>
      reject(new Error(`the agent image build could not start: ${error.message}`)),
    );
    child.once('close', (code, signal) => {
      if (code === 0) return resolve();
      reject(
        new Error(
          `the agent image build failed (${signal ?? `exit ${code}`}): ${tail.join(' | ') || 'no output'}`,
        ),
      );
    });
  });
}
