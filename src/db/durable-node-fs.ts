import fs from 'node:fs';
import { PGlite } from '@electric-sql/pglite';
import { NodeFS } from '@electric-sql/pglite/nodefs';

type FsInit = NodeFS['init'];

/**
 * PGlite's Node file system with fsync: Emscripten's NODEFS has no fsync, so PostgreSQL's flushes
 * never reach the disk. This layer gives the streams one that calls fsync(2) on the real file.
 */
export class DurableNodeFS extends NodeFS {
  override async init(...args: Parameters<FsInit>): ReturnType<FsInit> {
    const result = await super.init(...args);
    const preRun = result.emscriptenOpts.preRun ?? [];
    result.emscriptenOpts.preRun = [
      ...preRun,
      (module: { NODEFS: { stream_ops: { fsync?: (stream: { nfd: number }) => number } } }) => {
        module.NODEFS.stream_ops.fsync = (stream) => {
          fs.fsyncSync(stream.nfd);
          return 0;
        };
      },
    ];
    return result;
  }
}

/**
 * PGlite starts PostgreSQL with `-F` (fsync off). Without it, and with the WAL flushed by fsync()
 * (PGlite's fdatasync() is a no-op), every commit reaches stable storage before it is acknowledged.
 */
export const durableStartParams: string[] = [
  ...PGlite.defaultStartParams.filter((param) => param !== '-F'),
  '-c',
  'wal_sync_method=fsync',
];
