import type { Config } from '../../config.ts';
import type { Transit } from '../../transit/transit.ts';
import { info } from './info.ts';
import { rotate } from './rotate.ts';
import { setup } from './setup.ts';

export interface TransitCommandInput {
  config: Config;
  transit: Transit;
  args: string[];
  flags: Record<string, string | boolean | undefined>;
}

export interface TransitCommand {
  usage: string;
  summary: string;
  /** Resolves to the process exit code. */
  run(input: TransitCommandInput): Promise<number>;
}

export const transitCommands: Record<string, TransitCommand> = { setup, rotate, info };
