import { badUserInput } from '../graphql/errors.ts';
import type { KeyInfo, Transit } from '../transit/transit.ts';

/** Key management limited to the keys the schema encrypts with. */
export class KeyAdmin {
  constructor(
    private readonly transit: Transit,
    readonly keys: ReadonlySet<string>,
  ) {}

  info(name: string): Promise<KeyInfo> {
    return this.transit.readKey(this.known(name));
  }

  rotate(name: string): Promise<KeyInfo> {
    return this.transit.rotateKey(this.known(name));
  }

  private known(name: string): string {
    if (!this.keys.has(name))
      throw badUserInput(`unknown key "${name}"; this schema uses: ${[...this.keys].join(', ')}`);
    return name;
  }
}
