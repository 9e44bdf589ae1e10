# OpenBao server configuration shared by every node of transitql's key service (3-node raft).
# Per node, the environment sets BAO_RAFT_NODE_ID, BAO_API_ADDR and BAO_CLUSTER_ADDR.
# Node openbao-1 also loads initialize.hcl (declarative self-initialization, first start only).
# Paths: /openbao/file is the data volume, /openbao/logs the audit volume, /openbao/tls holds the
# node certificate made by setup-secrets.sh, /openbao/ca the CA, /openbao/unseal the static seal key
# (its own volume: never inside the data volume, never mounted into the API).

ui            = false
disable_mlock = true
log_level     = "info"

storage "raft" {
  path = "/openbao/file"

  retry_join {
    leader_api_addr     = "https://openbao-1:8200"
    leader_ca_cert_file = "/openbao/ca/ca.pem"
  }
  retry_join {
    leader_api_addr     = "https://openbao-2:8200"
    leader_ca_cert_file = "/openbao/ca/ca.pem"
  }
  retry_join {
    leader_api_addr     = "https://openbao-3:8200"
    leader_ca_cert_file = "/openbao/ca/ca.pem"
  }
}

listener "tcp" {
  address         = "0.0.0.0:8200"
  cluster_address = "0.0.0.0:8201"
  tls_cert_file   = "/openbao/tls/openbao.pem"
  tls_key_file    = "/openbao/tls/openbao-key.pem"
  tls_min_version = "tls12"
}

# Auto-unseal with a 32-byte key file. It protects the data volume on its own (a copied or backed-up
# volume is useless without the key); it does not protect against anyone who can read both volumes
# (the host, its root user). Production: replace with seal "awskms" / "gcpckms" / "transit" (docs/production-deploy.md).
seal "static" {
  current_key_id = "transitql-unseal-1"
  current_key    = "file:///openbao/unseal/unseal.key"
}

# Every request and response, values HMAC'd with a per-device salt; raw plaintext never logged.
audit "file" "file" {
  description = "transitql audit log"
  options {
    file_path = "/openbao/logs/audit.log"
  }
}
