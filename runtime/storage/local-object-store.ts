// The local-directory backend (the embedded default, and what `millrace run` uses). Writes are
// atomic: the bytes go to a hidden temporary file in the target directory, are fsynced, then
// renamed over the final name (rename within one directory is atomic on POSIX file systems),
// and the directory is fsynced so the rename survives a crash.
import { randomBytes } from 'node:crypto';
import { link, mkdir, open, readdir, readFile, rename, rm, stat } from 'node:fs/promises';
import path from 'node:path';
import type { Readable } from 'node:stream';
import { StorageError } from './errors.ts';
import type { ObjectBody, ObjectInfo, ObjectStore } from './object-store.ts';
import { requireDirPrefix } from './object-store.ts';

const TEMP_MARK = '.tmp-';

export interface LocalObjectStoreOptions {
  /** absolute root directory; created on first write */
  readonly directory: string;
  /** file mode of objects (default 0o600: state may hold user data) */
  readonly fileMode?: number;
}

export class LocalObjectStore implements ObjectStore {
  readonly description: string;
  private readonly root: string;
  private readonly fileMode: number;

  constructor(options: LocalObjectStoreOptions) {
    this.root = path.resolve(options.directory);
    this.description = this.root.endsWith(path.sep) ? this.root : `${this.root}/`;
    this.fileMode = options.fileMode ?? 0o600;
  }

  private pathOf(key: string): string {
    const full = path.resolve(this.root, key);
    if (full !== this.root && !full.startsWith(this.root + path.sep)) {
      throw new StorageError('MR_ERR_STORAGE_LAYOUT', `key '${key}' leaves the storage directory ${this.root}`);
    }
    return full;
  }

  async put(key: string, body: ObjectBody): Promise<void> {
    const target = this.pathOf(key);
    const dir = path.dirname(target);
    const temp = path.join(dir, `.${path.basename(target)}${TEMP_MARK}${randomBytes(6).toString('hex')}`);
    try {
      await mkdir(dir, { recursive: true, mode: 0o750 });
      const handle = await open(temp, 'wx', this.fileMode);
      try {
        if (body instanceof Uint8Array) await handle.write(body);
        else for await (const chunk of body) await handle.write(chunk as Uint8Array);
        await handle.sync();
      } finally {
        await handle.close();
      }
      await rename(temp, target);
      await syncDirectory(dir);
    } catch (cause) {
      await rm(temp, { force: true }).catch(() => undefined);
      if (cause instanceof StorageError) throw cause;
      throw new StorageError('MR_ERR_STORAGE_IO', `cannot write ${target}: ${(cause as Error).message}; check that the directory is writable and has space`, { file: this.pathOf(key), cause });
    }
  }

  async create(key: string, bytes: Uint8Array): Promise<boolean> {
    const target = this.pathOf(key);
    const dir = path.dirname(target);
    const temp = path.join(dir, `.${path.basename(target)}${TEMP_MARK}${randomBytes(6).toString('hex')}`);
    try {
      await mkdir(dir, { recursive: true, mode: 0o750 });
      const handle = await open(temp, 'wx', this.fileMode);
      try {
        await handle.write(bytes);
        await handle.sync();
      } finally {
        await handle.close();
      }
      // link() fails when the name exists: of two writers exactly one wins, and the file is whole.
      await link(temp, target);
      await syncDirectory(dir);
      return true;
    } catch (cause) {
      if ((cause as NodeJS.ErrnoException).code === 'EEXIST') return false;
      throw new StorageError('MR_ERR_STORAGE_IO', `cannot write ${target}: ${(cause as Error).message}; check that the directory is writable and has space`, { file: target, cause });
    } finally {
      await rm(temp, { force: true }).catch(() => undefined);
    }
  }

  async get(key: string): Promise<Buffer> {
    try {
      return await readFile(this.pathOf(key));
    } catch (cause) {
      throw this.readError(key, cause);
    }
  }

  async open(key: string): Promise<Readable> {
    const file = this.pathOf(key);
    try {
      const handle = await open(file, 'r');
      return handle.createReadStream();
    } catch (cause) {
      throw this.readError(key, cause);
    }
  }

  async list(prefix: string): Promise<ObjectInfo[]> {
    requireDirPrefix(prefix);
    const out: ObjectInfo[] = [];
    const walk = async (dir: string, keyPrefix: string): Promise<void> => {
      let entries;
      try {
        entries = await readdir(dir, { withFileTypes: true });
      } catch (cause) {
        if ((cause as NodeJS.ErrnoException).code === 'ENOENT') return;
        throw new StorageError('MR_ERR_STORAGE_IO', `cannot list ${dir}: ${(cause as Error).message}`, { cause });
      }
      for (const e of entries) {
        if (e.isDirectory()) await walk(path.join(dir, e.name), `${keyPrefix}${e.name}/`);
        else if (e.isFile() && !e.name.includes(TEMP_MARK)) {
          // Retention may delete a file between readdir and stat: it is simply no longer listed.
          const st = await stat(path.join(dir, e.name)).then((s) => s, (cause: NodeJS.ErrnoException) => {
            if (cause.code === 'ENOENT') return undefined;
            throw new StorageError('MR_ERR_STORAGE_IO', `cannot stat ${path.join(dir, e.name)}: ${cause.message}`, { cause });
          });
          if (st !== undefined) out.push({ key: `${keyPrefix}${e.name}`, size: st.size, lastModified: st.mtimeMs });
        }
      }
    };
    await walk(this.pathOf(prefix), prefix);
    return out.sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
  }

  async listDirs(prefix: string): Promise<string[]> {
    requireDirPrefix(prefix);
    try {
      const entries = await readdir(this.pathOf(prefix), { withFileTypes: true });
      return entries.filter((e) => e.isDirectory()).map((e) => e.name).sort();
    } catch (cause) {
      if ((cause as NodeJS.ErrnoException).code === 'ENOENT') return [];
      throw new StorageError('MR_ERR_STORAGE_IO', `cannot list ${this.pathOf(prefix)}: ${(cause as Error).message}`, { cause });
    }
  }

  async delete(key: string): Promise<void> {
    const file = this.pathOf(key);
    try {
      await rm(file, { force: true });
      await syncDirectory(path.dirname(file)).catch(() => undefined);
    } catch (cause) {
      throw new StorageError('MR_ERR_STORAGE_IO', `cannot delete ${file}: ${(cause as Error).message}`, { file: this.pathOf(key), cause });
    }
  }

  async deletePrefix(prefix: string): Promise<number> {
    requireDirPrefix(prefix);
    if (prefix === '') throw new StorageError('MR_ERR_STORAGE_LAYOUT', 'refusing to delete the whole storage directory; give a sub-directory');
    const count = (await this.list(prefix)).length;
    await rm(this.pathOf(prefix), { recursive: true, force: true });
    return count;
  }

  close(): void {}

  private readError(key: string, cause: unknown): StorageError {
    if ((cause as NodeJS.ErrnoException).code === 'ENOENT') {
      return new StorageError('MR_ERR_STORAGE_NOT_FOUND', `${this.pathOf(key)} does not exist`, { file: this.pathOf(key), cause });
    }
    return new StorageError('MR_ERR_STORAGE_IO', `cannot read ${this.pathOf(key)}: ${(cause as Error).message}`, { file: this.pathOf(key), cause });
  }
}

async function syncDirectory(dir: string): Promise<void> {
  const handle = await open(dir, 'r');
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}
