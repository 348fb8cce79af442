import { mkdir, open, readdir, stat, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { displayPath, resolveWorkspacePath } from '../workspace-path.ts';
import {
  type AgentTool,
  optionalStringArg,
  stringArg,
  ToolInputError,
  toolDefinition,
} from './agent-tool.ts';

/** Bytes of a file `read_file` returns; the rest is cut with a note. */
export const READ_FILE_CAP = 256 * 1024;
/** Entries `list_files` shows. */
export const LIST_FILES_CAP = 500;

const pathHelp =
  'relative to your workspace (the current directory) or absolute inside it; paths outside the workspace are refused';

/** Reads at most `cap` bytes of a file. */
async function readHead(path: string, cap: number): Promise<Buffer> {
  const handle = await open(path, 'r');
  try {
    const buffer = Buffer.alloc(cap);
    const { bytesRead } = await handle.read(buffer, 0, cap, 0);
    return buffer.subarray(0, bytesRead);
  } finally {
    await handle.close();
  }
}

const readFile: AgentTool = {
  definition: toolDefinition(
    'read_file',
    `Reads a text file of your workspace and returns its content (at most ${READ_FILE_CAP / 1024} KiB; longer files are cut, use bash with sed -n or grep for the rest). Shared instructions are under global/ (read-only).`,
    { path: { type: 'string', description: `The file, ${pathHelp}.` } },
    ['path'],
  ),
  async run(args, { workspace }) {
    const path = await resolveWorkspacePath(workspace, stringArg(args, 'path'), {
      mustExist: true,
    });
    const info = await stat(path);
    if (info.isDirectory()) {
      throw new ToolInputError(`${displayPath(workspace, path)} is a directory; use list_files.`);
    }
    const content = await readHead(path, READ_FILE_CAP);
    if (content.includes(0)) {
      return {
        text: `${displayPath(workspace, path)} is a binary file (${info.size} bytes); not shown.`,
      };
    }
    const text = content.toString('utf8');
    if (info.size <= content.length) return { text };
    return {
      text: `${text}\n[… truncated: showed the first ${content.length} of ${info.size} bytes]`,
    };
  },
};

const writeFileTool: AgentTool = {
  definition: toolDefinition(
    'write_file',
    'Writes a text file in your workspace, replacing it if it exists and creating missing parent directories. Files persist between runs.',
    {
      path: { type: 'string', description: `The file, ${pathHelp}.` },
      content: { type: 'string', description: 'The complete new content of the file.' },
    },
    ['path', 'content'],
  ),
  async run(args, { workspace }) {
    const content = args.content;
    if (typeof content !== 'string') throw new ToolInputError('"content" must be a string.');
    const path = await resolveWorkspacePath(workspace, stringArg(args, 'path'), {
      mustExist: false,
    });
    const existing = await stat(path).catch(() => null);
    if (existing?.isDirectory()) {
      throw new ToolInputError(`${displayPath(workspace, path)} is a directory.`);
    }
    await mkdir(dirname(path), { recursive: true });
    await writeFile(path, content);
    return {
      text: `Wrote ${Buffer.byteLength(content)} bytes to ${displayPath(workspace, path)}.`,
    };
  },
};

const listFiles: AgentTool = {
  definition: toolDefinition(
    'list_files',
    `Lists a directory of your workspace (not recursive): directories end with "/", files show their size. At most ${LIST_FILES_CAP} entries.`,
    {
      path: {
        type: 'string',
        description: `The directory, ${pathHelp}; default the workspace itself.`,
      },
    },
  ),
  async run(args, { workspace }) {
    const path = await resolveWorkspacePath(workspace, optionalStringArg(args, 'path') ?? '.', {
      mustExist: true,
    });
    if (!(await stat(path)).isDirectory()) {
      throw new ToolInputError(
        `${displayPath(workspace, path)} is not a directory; use read_file.`,
      );
    }
    const entries = (await readdir(path, { withFileTypes: true })).sort((a, b) =>
      a.name.localeCompare(b.name),
    );
    const lines = await Promise.all(
      entries.slice(0, LIST_FILES_CAP).map(async (entry) => {
        if (entry.isDirectory()) return `${entry.name}/`;
        if (entry.isSymbolicLink()) return `${entry.name} (symlink)`;
        const size = await stat(join(path, entry.name)).then(
          (s) => s.size,
          () => null,
        );
        return size === null ? entry.name : `${entry.name} (${size} bytes)`;
      }),
    );
    const header = `${displayPath(workspace, path)}:`;
    if (lines.length === 0) return { text: `${header} (empty)` };
    const more =
      entries.length > LIST_FILES_CAP ? [`[… ${entries.length - LIST_FILES_CAP} more]`] : [];
    return { text: [header, ...lines, ...more].join('\n') };
  },
};

/** `read_file`, `write_file` and `list_files`, confined to the workspace. */
export function createFileTools(): AgentTool[] {
  return [readFile, writeFileTool, listFiles];
}
