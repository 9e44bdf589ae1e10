# Declarative self-initialization (OpenBao >= 2.4), loaded by the bootstrap node (openbao-1) only.
# It runs once, on the first start of an empty cluster, with a root token OpenBao creates in memory
# and revokes when the last request is done: no root token is ever printed, stored or handed out.
# No recovery keys exist either; nobody holds an admin credential afterwards. Changing policies or
# roles later is a deliberate act (see docs/production-deploy.md).
#
# The policies are the ones `npm run transit -- setup` writes (src/field-encryption/transit/vault/least-privilege.ts);
# test/deploy/openbao-config.test.ts keeps the two identical. The AppRole role-ids and secret-ids
# come from files setup-secrets.sh generated, so the API and key admin can log in without anyone
# ever asking OpenBao for a secret-id with an admin token.

initialize "transit" {
  request "enable-transit" {
    operation = "update"
    path      = "sys/mounts/transit"
    data = {
      type = "transit"
    }
  }
  request "enable-record-anchor" {
    # KV v2 for the reveal record's checkpoint (VAULT_ANCHOR_MOUNT); the API writes it with check-and-set.
    operation = "update"
    path      = "sys/mounts/transit-anchor"
    data = {
      type = "kv"
      options = {
        version = "2"
      }
    }
  }
  request "create-card-pan" {
    operation = "update"
    path      = "transit/keys/card-pan"
    data = {
      type    = "aes256-gcm96"
      derived = true
    }
  }
  request "create-card-pan-index" {
    operation = "update"
    path      = "transit/keys/card-pan-index"
    data = {
      type = "aes256-gcm96"
    }
  }
  request "create-reveal-seal" {
    operation = "update"
    path      = "transit/keys/reveal-seal"
    data = {
      type = "aes256-gcm96"
    }
  }
}

initialize "policies" {
  request "transitql-api" {
    operation = "update"
    path      = "sys/policies/acl/transitql-api"
    data = {
      policy = <<-EOT
        path "transit/encrypt/card-pan" {
          capabilities = ["update"]
        }
        path "transit/decrypt/card-pan" {
          capabilities = ["update"]
        }
        path "transit/rewrap/card-pan" {
          capabilities = ["update"]
        }
        path "transit/hmac/card-pan" {
          capabilities = ["update"]
        }
        path "transit/keys/card-pan" {
          capabilities = ["read"]
        }
        path "transit/encrypt/reveal-seal" {
          capabilities = ["update"]
        }
        path "transit/decrypt/reveal-seal" {
          capabilities = ["update"]
        }
        path "transit/rewrap/reveal-seal" {
          capabilities = ["update"]
        }
        path "transit/hmac/reveal-seal" {
          capabilities = ["update"]
        }
        path "transit/keys/reveal-seal" {
          capabilities = ["read"]
        }
        path "transit/hmac/card-pan-index" {
          capabilities = ["update"]
        }
        path "transit/keys/card-pan-index" {
          capabilities = ["read"]
        }
        path "transit-anchor/data/reveal-record" {
          capabilities = ["read", "create", "update"]
        }
      EOT
    }
  }
  request "transitql-key-admin" {
    operation = "update"
    path      = "sys/policies/acl/transitql-key-admin"
    data = {
      policy = <<-EOT
        path "transit/keys/card-pan" {
          capabilities = ["read"]
        }
        path "transit/keys/card-pan/rotate" {
          capabilities = ["update"]
        }
        path "transit/keys/card-pan/config" {
          capabilities = ["update"]
        }
        path "transit/rewrap/card-pan" {
          capabilities = ["update"]
        }
        path "transit/keys/reveal-seal" {
          capabilities = ["read"]
        }
        path "transit/keys/reveal-seal/rotate" {
          capabilities = ["update"]
        }
        path "transit/keys/reveal-seal/config" {
          capabilities = ["update"]
        }
        path "transit/rewrap/reveal-seal" {
          capabilities = ["update"]
        }
        path "transit/keys/card-pan-index" {
          capabilities = ["read"]
        }
        path "transit/keys/card-pan-index/rotate" {
          capabilities = ["update"]
        }
        path "transit/keys/card-pan-index/config" {
          capabilities = ["update"]
        }
        path "transit/hmac/reveal-seal" {
          capabilities = ["update"]
        }
        path "transit-anchor/data/reveal-record" {
          capabilities = ["read", "create", "update"]
        }
      EOT
    }
  }
}

initialize "operator-policy" {
  # For operations only: seal a node, hand over leadership, read the raft cluster's state. No transit
  # access, no policy or auth changes.
  request "transitql-operator" {
    operation = "update"
    path      = "sys/policies/acl/transitql-operator"
    data = {
      policy = <<-EOT
        path "sys/seal" {
          capabilities = ["update", "sudo"]
        }
        path "sys/step-down" {
          capabilities = ["update", "sudo"]
        }
        path "sys/storage/raft/configuration" {
          capabilities = ["read"]
        }
        path "sys/storage/raft/autopilot/state" {
          capabilities = ["read"]
        }
      EOT
    }
  }
}

initialize "backup-policies" {
  # Backup: reads a raft snapshot and nothing else (no transit, no keys by name, no sys/ beyond it).
  # OpenBao 2.7 needs no "sudo" on the snapshot endpoints (tested: test/deploy/backup-drill.test.ts).
  request "transitql-backup" {
    operation = "update"
    path      = "sys/policies/acl/transitql-backup"
    data = {
      policy = <<-EOT
        path "sys/storage/raft/snapshot" {
          capabilities = ["read"]
        }
      EOT
    }
  }
  # Restore: installs a snapshot and nothing else. Installing a snapshot replaces every key, policy and
  # role of the cluster with the snapshot's, so this is an administrator's power in effect: its
  # secret-id is kept offline, break-glass, apart from the seal key (docs/backup-and-restore.md); each login's
  # token serves one request.
  request "transitql-restore" {
    operation = "update"
    path      = "sys/policies/acl/transitql-restore"
    data = {
      policy = <<-EOT
        path "sys/storage/raft/snapshot-force" {
          capabilities = ["update"]
        }
      EOT
    }
  }
}

initialize "approle" {
  request "enable-approle" {
    operation = "update"
    path      = "sys/auth/approle"
    data = {
      type = "approle"
    }
  }
  request "api-role" {
    operation = "update"
    path      = "auth/approle/role/transitql-api"
    data = {
      token_policies = ["transitql-api"]
      token_ttl      = "1h"
      token_max_ttl  = "24h"
    }
  }
  request "api-role-id" {
    operation = "update"
    path      = "auth/approle/role/transitql-api/role-id"
    data = {
      role_id = {
        eval_source = "file"
        eval_type   = "string"
        path        = "/openbao/approle/transitql-api.role-id"
      }
    }
  }
  request "api-secret-id" {
    operation = "update"
    path      = "auth/approle/role/transitql-api/custom-secret-id"
    data = {
      secret_id = {
        eval_source = "file"
        eval_type   = "string"
        path        = "/openbao/approle/transitql-api.secret-id"
      }
    }
  }
  request "key-admin-role" {
    operation = "update"
    path      = "auth/approle/role/transitql-key-admin"
    data = {
      token_policies = ["transitql-key-admin"]
      token_ttl      = "1h"
      token_max_ttl  = "24h"
    }
  }
  request "key-admin-role-id" {
    operation = "update"
    path      = "auth/approle/role/transitql-key-admin/role-id"
    data = {
      role_id = {
        eval_source = "file"
        eval_type   = "string"
        path        = "/openbao/approle/transitql-key-admin.role-id"
      }
    }
  }
  request "key-admin-secret-id" {
    operation = "update"
    path      = "auth/approle/role/transitql-key-admin/custom-secret-id"
    data = {
      secret_id = {
        eval_source = "file"
        eval_type   = "string"
        path        = "/openbao/approle/transitql-key-admin.secret-id"
      }
    }
  }
  request "operator-role" {
    operation = "update"
    path      = "auth/approle/role/transitql-operator"
    data = {
      token_policies = ["transitql-operator"]
      token_ttl      = "15m"
      token_max_ttl  = "1h"
    }
  }
  request "operator-role-id" {
    operation = "update"
    path      = "auth/approle/role/transitql-operator/role-id"
    data = {
      role_id = {
        eval_source = "file"
        eval_type   = "string"
        path        = "/openbao/approle/transitql-operator.role-id"
      }
    }
  }
  request "operator-secret-id" {
    operation = "update"
    path      = "auth/approle/role/transitql-operator/custom-secret-id"
    data = {
      secret_id = {
        eval_source = "file"
        eval_type   = "string"
        path        = "/openbao/approle/transitql-operator.secret-id"
      }
    }
  }
  request "backup-role" {
    operation = "update"
    path      = "auth/approle/role/transitql-backup"
    data = {
      token_policies = ["transitql-backup"]
      token_ttl      = "15m"
      token_max_ttl  = "15m"
      token_num_uses = 1
    }
  }
  request "backup-role-id" {
    operation = "update"
    path      = "auth/approle/role/transitql-backup/role-id"
    data = {
      role_id = {
        eval_source = "file"
        eval_type   = "string"
        path        = "/openbao/approle/transitql-backup.role-id"
      }
    }
  }
  request "backup-secret-id" {
    operation = "update"
    path      = "auth/approle/role/transitql-backup/custom-secret-id"
    data = {
      secret_id = {
        eval_source = "file"
        eval_type   = "string"
        path        = "/openbao/approle/transitql-backup.secret-id"
      }
    }
  }
  request "restore-role" {
    operation = "update"
    path      = "auth/approle/role/transitql-restore"
    data = {
      token_policies = ["transitql-restore"]
      token_ttl      = "15m"
      token_max_ttl  = "15m"
      token_num_uses = 1
    }
  }
  request "restore-role-id" {
    operation = "update"
    path      = "auth/approle/role/transitql-restore/role-id"
    data = {
      role_id = {
        eval_source = "file"
        eval_type   = "string"
        path        = "/openbao/approle/transitql-restore.role-id"
      }
    }
  }
  request "restore-secret-id" {
    operation = "update"
    path      = "auth/approle/role/transitql-restore/custom-secret-id"
    data = {
      secret_id = {
        eval_source = "file"
        eval_type   = "string"
        path        = "/openbao/approle/transitql-restore.secret-id"
      }
    }
  }
}
