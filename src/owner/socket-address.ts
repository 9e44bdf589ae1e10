import fs from 'node:fs';
import path from 'node:path';

/** Unix socket addresses hold 108 bytes (104 on BSD and macOS), the terminating NUL included. */
const MAX_SOCKET_PATH_BYTES = 103;

export interface SocketAddress {
  /** What to pass to listen() or connect(). */
  path: string;
  /** Call once bound or connected (again is harmless). */
  done(): void;
}

/**
 * An address for the socket file `socketPath`, whatever the length of its directory's path: the path
 * itself when it fits in a socket address, else (Linux) the same file reached through an open handle
 * on its directory, `/proc/self/fd/<fd>/<name>`, so the socket still lives beside the data it serves.
 */
export function socketAddress(socketPath: string): SocketAddress {
  if (Buffer.byteLength(socketPath) <= MAX_SOCKET_PATH_BYTES) return { path: socketPath, done: () => {} };
  if (process.platform !== 'linux') {
    throw new Error(
      `${socketPath} is too long for a Unix socket (${Buffer.byteLength(socketPath)} bytes, at most ${MAX_SOCKET_PATH_BYTES}); set DATA_DIR to a shorter path`,
    );
  }
  const directory = fs.openSync(path.dirname(socketPath), fs.constants.O_RDONLY | fs.constants.O_DIRECTORY);
  let open = true;
  return {
    path: `/proc/self/fd/${directory}/${path.basename(socketPath)}`,
    done: () => {
      if (open) fs.closeSync(directory);
      open = false;
    },
  };
}
