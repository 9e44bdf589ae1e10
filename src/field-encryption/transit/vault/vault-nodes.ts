import type nodeVault from 'node-vault';
import { TransitError } from '../transit.ts';
import { TransientVaultError } from './vault-errors.ts';

export interface VaultNode {
  address: string;
  client: nodeVault.client;
}

/**
 * The nodes of one Vault/OpenBao cluster (VAULT_ADDR as a comma-separated list, or VAULT_ADDRS).
 * Any unsealed node serves: standbys forward to the active node. A call goes to the node that
 * answered last; when that node is unreachable, sealed or failing (UNAVAILABLE), the same call moves
 * on to the next node, each node once. Other failures (403, 400, a missing key) are the cluster's
 * answer and end the call.
 */
export class VaultNodes {
  private current = 0;

  constructor(readonly nodes: readonly VaultNode[]) {
    if (nodes.length === 0) throw new TransitError('UNAVAILABLE', 'no Vault/OpenBao address configured');
  }

  get addresses(): string[] {
    return this.nodes.map((node) => node.address);
  }

  /** The node that answered last (where the next call starts). */
  get preferred(): VaultNode {
    return this.nodes[this.current] as VaultNode;
  }

  /** Runs `call` on the preferred node, then on the others while they fail as UNAVAILABLE. */
  async onAnyNode<T>(
    call: (node: VaultNode) => Promise<T>,
    classify: (error: unknown, node: VaultNode) => TransitError,
  ): Promise<T> {
    const failures: TransitError[] = [];
    for (let attempt = 0; attempt < this.nodes.length; attempt++) {
      const index = (this.current + attempt) % this.nodes.length;
      const node = this.nodes[index] as VaultNode;
      try {
        const result = await call(node);
        this.current = index;
        return result;
      } catch (error) {
        const failure = error instanceof TransitError ? error : classify(error, node);
        if (failure.code !== 'UNAVAILABLE') throw failure;
        failures.push(failure);
      }
    }
    if (failures.length === 1) throw failures[0] as TransitError;
    // Worth retrying after a pause if any node was briefly unable (sealed, electing, restarting).
    const Failure = failures.some((failure) => failure instanceof TransientVaultError)
      ? TransientVaultError
      : TransitError;
    throw new Failure(
      'UNAVAILABLE',
      `no Vault/OpenBao node serves: ${failures.map((failure) => failure.message).join('; ')}`,
    );
  }

  /** The token is valid on every node of the cluster: each client sends it. */
  setToken(token: string | undefined): void {
    for (const node of this.nodes) node.client.token = token as string;
  }
}
