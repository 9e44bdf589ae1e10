import type { Role } from '../../auth/roles.ts';

/** A GraphiQL tab as `defaultTabs` takes it: an operation, its variables and headers (JSON text). */
export interface GraphiQLTab {
  query: string;
  variables?: string;
  headers?: string;
}

interface Example {
  role: Role;
  query: string;
  variables?: Record<string, unknown>;
}

const CARD_FIELDS = `id
      name
      pan
      panKeyVersion
      status`;

const EXAMPLES: Example[] = [
  {
    role: 'clerk',
    query: `# As clerk (see Headers below): store a card.
# @encrypted replaces the PAN by transit
# ciphertext before the resolver runs, so the
# answer shows what is stored: vault:v1:...
mutation ClerkCreatesCard($input: CreditCardInput!) {
  createCreditCard(input: $input) {
    id
    name
    pan
    panKeyVersion
    status
  }
}`,
    variables: { input: { name: 'Carlos Gardel', pan: '4539 2966 2013 1157' } },
  },
  {
    role: 'clerk',
    query: `# As clerk: list cards. A clerk has no @decryptFor
# grant on pan, so it reads the stored ciphertext.
query ClerkListsCards {
  creditCards(first: 10) {
    nodes {
      ${CARD_FIELDS}
    }
    pageInfo { endCursor hasNextPage }
  }
}`,
  },
  {
    role: 'support',
    query: `# As support: the same list. @decryptFor(role:
# "support", mask: LAST4) reveals the last four
# digits only.
query SupportListsCards {
  creditCards(first: 10) {
    nodes {
      ${CARD_FIELDS}
    }
  }
}`,
  },
  {
    role: 'support',
    query: `# As support: is this card on file? @blindIndex
# turns the number into keyed transit HMACs, one
# per live index key version, and the lookup
# matches them: nothing is decrypted to search.
# pan answers per role, as in any list.
query SupportFindsByNumber($pan: PAN!) {
  creditCardsByPan(pan: $pan) { id name pan status }
}`,
    variables: { pan: '4539-2966-2013-1157' },
  },
  {
    role: 'processor',
    query: `# As processor: @decryptFor(role: "processor")
# decrypts the PANs, one batched transit call per
# key for the page.
query ProcessorReadsPending {
  creditCards(first: 10, status: PENDING) {
    nodes {
      ${CARD_FIELDS}
    }
  }
}`,
  },
  {
    role: 'processor',
    query: `# As processor: claim pending cards for 60 s,
# decrypted (no other processor gets them
# meanwhile).
mutation ProcessorClaimsCards {
  claimCards(limit: 10, leaseSeconds: 60) { id name pan }
}`,
  },
  {
    role: 'processor',
    query: `# As processor: mark claimed cards processed. With
# no ids it marks none: run ProcessorClaimsCards,
# then copy the ids it answers into "ids" in the
# variables below.
mutation ProcessorMarksProcessed($ids: [ID!]!) {
  markCardsProcessed(ids: $ids) { id status processedAt }
}`,
    variables: { ids: [] },
  },
  {
    role: 'key-admin',
    query: `# As key-admin: rotate the PAN key. Every run adds
# a version (v2, then v3, ...): cards created
# afterwards get vault:v<latest>:..., stored older
# values still decrypt. On Vault/OpenBao with the
# least-privilege transitql-api AppRole the API
# may not rotate (FORBIDDEN); rotate with the
# transitql-key-admin AppRole pair instead:
#   npm run transit -- rotate card-pan
mutation KeyAdminRotatesKey {
  rotateKey(name: "card-pan") {
    name
    latestVersion
    minDecryptionVersion
    versions { version createdAt }
  }
}`,
  },
  {
    role: 'auditor',
    query: `# As auditor: who read which card in the clear
# or masked, when, under which grant. The reveal
# record is hash-chained and sealed with a
# transit HMAC; the auditor can decrypt nothing.
query AuditorReadsReveals {
  revealEvents(first: 20) {
    nodes {
      at subject role mask field
      recordIds count
    }
  }
}`,
  },
];

/**
 * The example operations GraphiQL opens with, one tab each, with an Authorization header for the
 * tab's role: a ready token when `tokenFor` can issue one, a placeholder otherwise.
 */
export async function exampleTabs(tokenFor: ((role: string) => Promise<string>) | undefined): Promise<GraphiQLTab[]> {
  return Promise.all(
    EXAMPLES.map(async ({ role, query, variables }) => {
      const token = tokenFor === undefined ? `<paste-a-${role}-token>` : await tokenFor(role);
      return {
        query,
        ...(variables === undefined ? {} : { variables: JSON.stringify(variables, null, 2) }),
        headers: JSON.stringify({ Authorization: `Bearer ${token}` }, null, 2),
      };
    }),
  );
}
