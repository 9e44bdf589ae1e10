#!/bin/sh
# One-time setup for the production key service: a CA, TLS certificates for the OpenBao nodes and
# Postgres signed by it, the static seal key, and the AppRole role-ids/secret-ids self-initialization
# installs. Writes into OUT (default ./secrets), one directory per consumer, and never overwrites:
# run it again and it keeps what exists (a new CA or seal key would lock out the running cluster).
#   ca/ca.pem                         every client (API, nodes joining the cluster) verifies against it
#   openbao-tls/openbao{,-key}.pem    SANs: openbao, openbao-1..3, localhost, 127.0.0.1
#   postgres-tls/postgres{,-key}.pem  SANs: postgres, localhost, 127.0.0.1
#   unseal/unseal.key                 32 random bytes: the static seal key (keep it off the data volume)
#   approle/<role>.role-id|.secret-id for transitql-api, transitql-key-admin, transitql-operator,
#                                     transitql-backup, transitql-restore (move the restore pair offline)
#                                     (read by the bootstrap node's self-initialization only)
#   api-approle/role-id|secret-id     the API's own pair, the only one its container mounts
# The CA's private key stays in ca-private/ : move it offline once the certificates exist.
set -eu
OUT="${1:-./secrets}"
OPENBAO_UID="${OPENBAO_UID:-100}"
POSTGRES_UID="${POSTGRES_UID:-999}"
API_UID="${API_UID:-1000}"
DAYS="${CERT_DAYS:-825}"
mkdir -p "$OUT/ca" "$OUT/ca-private" "$OUT/openbao-tls" "$OUT/postgres-tls" "$OUT/unseal" "$OUT/approle" "$OUT/api-approle"
umask 077

if [ ! -s "$OUT/ca/ca.pem" ]; then
  openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -days "$DAYS" \
    -subj "/CN=transitql internal CA" -keyout "$OUT/ca-private/ca-key.pem" -out "$OUT/ca/ca.pem" \
    -addext "basicConstraints=critical,CA:TRUE" -addext "keyUsage=critical,keyCertSign,cRLSign" 2> /dev/null
  chmod 644 "$OUT/ca/ca.pem"
  echo "created the CA: $OUT/ca/ca.pem"
fi

issue() { # name, subject CN, subjectAltName
  if [ -s "$OUT/$1-tls/$1.pem" ]; then return; fi
  openssl req -new -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -subj "/CN=$2" \
    -keyout "$OUT/$1-tls/$1-key.pem" -out "$OUT/$1-tls/$1.csr" 2> /dev/null
  printf 'subjectAltName=%s\nextendedKeyUsage=serverAuth,clientAuth\nkeyUsage=critical,digitalSignature,keyEncipherment\n' "$3" \
    > "$OUT/$1-tls/$1.ext"
  openssl x509 -req -in "$OUT/$1-tls/$1.csr" -CA "$OUT/ca/ca.pem" -CAkey "$OUT/ca-private/ca-key.pem" \
    -CAcreateserial -days "$DAYS" -extfile "$OUT/$1-tls/$1.ext" -out "$OUT/$1-tls/$1.pem" 2> /dev/null
  rm -f "$OUT/$1-tls/$1.csr" "$OUT/$1-tls/$1.ext"
  chmod 644 "$OUT/$1-tls/$1.pem"
  echo "issued $OUT/$1-tls/$1.pem for $3"
}
issue openbao openbao "DNS:openbao,DNS:openbao-1,DNS:openbao-2,DNS:openbao-3,DNS:localhost,IP:127.0.0.1"
issue postgres postgres "DNS:postgres,DNS:localhost,IP:127.0.0.1"

if [ ! -s "$OUT/unseal/unseal.key" ]; then
  openssl rand -out "$OUT/unseal/unseal.key" 32
  echo "created the static seal key: $OUT/unseal/unseal.key"
fi

for role in transitql-api transitql-key-admin transitql-operator transitql-backup transitql-restore; do
  for part in role-id secret-id; do
    file="$OUT/approle/$role.$part"
    # A UUID-shaped random value, without a trailing newline (read verbatim by OpenBao and the API).
    [ -s "$file" ] || openssl rand -hex 16 | sed -E 's/(.{8})(.{4})(.{4})(.{4})(.{12})/\1-\2-\3-\4-\5/' | tr -d '\n' > "$file"
  done
done
cp "$OUT/approle/transitql-api.role-id" "$OUT/api-approle/role-id"
cp "$OUT/approle/transitql-api.secret-id" "$OUT/api-approle/secret-id"

# Owners: the OpenBao image runs as uid 100, postgres as uid 999, the API as uid 1000 (node); each
# secret is readable by its consumer only (0600).
if [ "$(id -u)" = 0 ]; then
  chown -R "$OPENBAO_UID" "$OUT/openbao-tls" "$OUT/unseal" "$OUT/approle"
  chown -R "$POSTGRES_UID" "$OUT/postgres-tls"
  chown -R "$API_UID" "$OUT/api-approle"
fi
chmod 755 "$OUT/ca" "$OUT/openbao-tls" "$OUT/postgres-tls" "$OUT/unseal" "$OUT/approle" "$OUT/api-approle"
chmod 600 "$OUT/openbao-tls/openbao-key.pem" "$OUT/postgres-tls/postgres-key.pem" "$OUT/unseal/unseal.key" \
  "$OUT"/approle/* "$OUT"/api-approle/*
