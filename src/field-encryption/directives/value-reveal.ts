import type { RevealCollector } from '../audit/reveal-collector.ts';
import { decryptionFailed } from '../errors.ts';
import { TransitError } from '../transit/transit.ts';
import type { Cipher } from './encrypted.ts';
import { applyMask, type Mask } from './mask.ts';

/** What one `@decryptFor` field reveals, and to whom. */
export interface RevealedField {
  /** `Type.field`, for errors and the reveal record. */
  where: string;
  key: string;
  /** While values are being bound: the non-derived key values not yet bound are under. */
  unboundKey: string | undefined;
  /** The grant that applies: its role and mask. */
  role: string;
  mask: Mask;
}

/**
 * Decrypts the values of one field of one record: a failure fails that field only
 * (DECRYPTION_FAILED); each value is noted for the reveal record as it is sent to be decrypted. Every value of a page
 * passes through here, so it costs one promise per value (the batched load and what follows it) and
 * no function made per value.
 */
export class ValueReveal {
  constructor(
    private readonly field: RevealedField,
    private readonly cipher: Cipher,
    /** The record's identity for a bound value (the derived key's context). */
    private readonly recordId: string | undefined,
    private readonly reveals: RevealCollector | undefined,
  ) {}

  reveal(ciphertext: unknown): unknown {
    if (ciphertext === null || ciphertext === undefined) return ciphertext;
    const text = String(ciphertext);
    const { where, key, role, mask } = this.field;
    // Noted as it is sent, so the record's write runs beside the decrypt instead of after it.
    this.reveals?.note({ field: where, key, role, mask, recordId: this.recordId });
    // Bytes to text in the same step as the mask: no promise more per value for it.
    const decrypted = this.cipher.decrypt(this.field.key, text, this.recordId);
    const unboundKey = this.field.unboundKey;
    if (unboundKey === undefined) {
      return decrypted.then(
        (plaintext) => this.revealed(plaintext),
        (error: unknown) => this.failed(error),
      );
    }
    return decrypted
      .catch((error: unknown) => {
        if (!(error instanceof TransitError) || !error.isItemError) throw error;
        return this.cipher.decrypt(unboundKey, text);
      })
      .then(
        (plaintext) => this.revealed(plaintext),
        (error: unknown) => this.failed(error),
      );
  }

  private revealed(bytes: Buffer): string {
    const { where, mask } = this.field;
    try {
      const plaintext = bytes.toString('utf8');
      this.reveals?.delivered();
      return mask === 'NONE' ? plaintext : applyMask(plaintext, mask);
    } catch (error) {
      throw decryptionFailed(where, error);
    }
  }

  private failed(error: unknown): never {
    throw decryptionFailed(this.field.where, error);
  }
}
