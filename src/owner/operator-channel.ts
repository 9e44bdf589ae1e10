import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import readline from 'node:readline';
import type { DataDirOwnership } from './data-dir-owner.ts';
import { socketAddress } from './socket-address.ts';

/** Where an operator command writes: the terminal when run locally, the caller's socket when run by the owner. */
export interface Io {
  out(line: string): void;
  err(line: string): void;
}

export const consoleIo: Io = {
  out: (line) => console.log(line),
  err: (line) => console.error(line),
};

/** Runs one operator command (its argv after the program name) and resolves to its exit code. */
export type OperatorRunner = (program: string, argv: string[], io: Io) => Promise<number>;

type Message = { out: string } | { err: string } | { exit: number };

/**
 * The owner's door for operator commands: a Unix socket inside the data directory (0700), so only the
 * user who could open the data files anyway can reach it. One JSON request per connection, the
 * command's output and exit code streamed back as JSON lines. A data directory whose path is too long
 * for a socket address is reached through a handle on it (see socketAddress).
 */
export async function serveOperatorCommands(ownership: DataDirOwnership, run: OperatorRunner): Promise<void> {
  const socketPath = path.join(ownership.dataDir, 'operator.sock');
  fs.rmSync(socketPath, { force: true });
  const address = socketAddress(socketPath);
  const server = net.createServer((socket) => {
    const send = (message: Message) => socket.write(`${JSON.stringify(message)}\n`);
    const lines = readline.createInterface({ input: socket });
    lines.once('line', (line) => {
      lines.close();
      void (async () => {
        let exit = 1;
        try {
          const { program, argv } = JSON.parse(line) as { program: string; argv: string[] };
          exit = await run(program, argv, { out: (text) => send({ out: text }), err: (text) => send({ err: text }) });
        } catch (error) {
          send({ err: `transitql: ${(error as Error).message}` });
        }
        socket.end(`${JSON.stringify({ exit })}\n`);
      })();
    });
    socket.on('error', () => {});
  });
  try {
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(address.path, resolve);
    });
  } finally {
    address.done();
  }
  fs.chmodSync(socketPath, 0o600);
  server.unref();
  ownership.publish({ controlSocket: socketPath });
}

/** Sends a command to the owner and relays its output; resolves to the command's exit code. */
export function sendOperatorCommand(socketPath: string, program: string, argv: string[], io: Io): Promise<number> {
  return new Promise((resolve, reject) => {
    let exit: number | undefined;
    const address = socketAddress(socketPath);
    const socket = net.connect(address.path, () => {
      address.done();
      socket.write(`${JSON.stringify({ program, argv })}\n`);
    });
    socket.on('error', (error) => {
      address.done();
      reject(error);
    });
    readline.createInterface({ input: socket }).on('line', (line) => {
      const message = JSON.parse(line) as Message;
      if ('out' in message) io.out(message.out);
      else if ('err' in message) io.err(message.err);
      else exit = message.exit;
    });
    socket.on('close', () => {
      if (exit === undefined) reject(new Error(`the owner closed ${socketPath} before the command finished`));
      else resolve(exit);
    });
  });
}
