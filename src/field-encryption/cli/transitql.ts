#!/usr/bin/env node
import { runTransitql } from './run-transitql.ts';

const io = { out: (line: string) => console.log(line), err: (line: string) => console.error(line) };
runTransitql(process.argv.slice(2), io).then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    io.err(error instanceof Error ? error.message : String(error));
    process.exitCode = 1;
  },
);
