#include "specs/internal/cross_checks.h"

#include <cctype>
#include <map>
#include <string>

#include "specs/internal/toml_reader.h"

namespace cdr::specs::internal {
namespace {

void CheckSingleDeclarations(const std::vector<ParsedDocument>& documents, std::vector<Diagnostic>* out) {
  const SourcePos* provider = nullptr;
  const SourcePos* quota = nullptr;
  for (const ParsedDocument& doc : documents) {
    if (doc.provider) {
      if (provider) {
        out->push_back(
            {doc.provider->pos, "provider",
             "[provider] is already declared at " + Where(*provider) + "; declare it in one file only"});
      } else {
        provider = &doc.provider->pos;
      }
    }
    if (doc.quota) {
      if (quota) {
        out->push_back({doc.quota->pos, "quota",
                        "[quota] is already declared at " + Where(*quota) + "; declare it in one file only"});
      } else {
        quota = &doc.quota->pos;
      }
    }
  }
}

void CheckGroupNames(const std::vector<ParsedDocument>& documents, std::vector<Diagnostic>* out) {
  std::map<std::string, const ParsedGroup*> by_name;
  for (const ParsedDocument& doc : documents) {
    for (const ParsedGroup& group : doc.groups) {
      if (!group.name_ok) continue;
      auto [it, inserted] = by_name.emplace(group.spec.name, &group);
      if (!inserted) {
        out->push_back({group.spec.name_pos, group.path + ".name",
                        "duplicate group name `" + group.spec.name + "` (first declared at " +
                            Where(it->second->spec.name_pos) + ")"});
      }
    }
  }
  // A rename's old name must not be live, or the reconciler could not tell which group owns the old
  // resources.
  std::map<std::string, const ParsedGroup*> by_old_name;
  for (const ParsedDocument& doc : documents) {
    for (const ParsedGroup& group : doc.groups) {
      if (!group.spec.renamed_from) continue;
      const std::string& old_name = *group.spec.renamed_from;
      if (auto live = by_name.find(old_name); live != by_name.end()) {
        out->push_back({group.spec.renamed_from_pos, group.path + ".renamed_from",
                        "renamed_from `" + old_name + "` is the name of another group (" +
                            Where(live->second->spec.name_pos) + ")"});
      } else if (auto [it, inserted] = by_old_name.emplace(old_name, &group); !inserted) {
        out->push_back({group.spec.renamed_from_pos, group.path + ".renamed_from",
                        "renamed_from `" + old_name + "` is already claimed by " + it->second->path + " (" +
                            Where(it->second->spec.renamed_from_pos) + ")"});
      }
    }
  }
}

void CheckServers(const std::vector<ParsedDocument>& documents, std::vector<Diagnostic>* out) {
  std::map<std::string, const ParsedServer*> by_host;
  for (const ParsedDocument& doc : documents) {
    for (const ParsedGroup& group : doc.groups) {
      std::map<std::string, const ParsedServer*> by_name;
      for (const ParsedServer& server : group.servers) {
        const ServerSpec& s = server.spec;
        if (server.name_ok) {
          if (auto [it, inserted] = by_name.emplace(s.name, &server); !inserted) {
            out->push_back({s.name_pos, server.path + ".name",
                            "duplicate server name `" + s.name + "` in " + group.path +
                                " (first declared at " + Where(it->second->spec.name_pos) + ")"});
          }
        }
        if (s.host.empty()) continue;
        if (auto [it, inserted] = by_host.emplace(s.host, &server); !inserted) {
          out->push_back({s.host_pos, server.path + ".host",
                          "host `" + s.host + "` is already protected by " + it->second->path + " (" +
                              Where(it->second->spec.host_pos) + "); a host can be protected once"});
        }
      }
    }
  }
}

// As for groups: a server's old name must not be live in its group, nor claimed by two servers of it.
void CheckServerRenames(const std::vector<ParsedDocument>& documents, std::vector<Diagnostic>* out) {
  for (const ParsedDocument& doc : documents) {
    for (const ParsedGroup& group : doc.groups) {
      std::map<std::string, const ParsedServer*> by_name;
      for (const ParsedServer& server : group.servers) {
        if (server.name_ok) by_name.emplace(server.spec.name, &server);
      }
      std::map<std::string, const ParsedServer*> by_old_name;
      for (const ParsedServer& server : group.servers) {
        const ServerSpec& s = server.spec;
        if (!s.renamed_from) continue;
        if (auto live = by_name.find(*s.renamed_from); live != by_name.end()) {
          out->push_back({s.renamed_from_pos, server.path + ".renamed_from",
                          "renamed_from `" + *s.renamed_from + "` is the name of another server of " + group.path +
                              " (" + Where(live->second->spec.name_pos) + ")"});
        } else if (auto [it, inserted] = by_old_name.emplace(*s.renamed_from, &server); !inserted) {
          out->push_back({s.renamed_from_pos, server.path + ".renamed_from",
                          "renamed_from `" + *s.renamed_from + "` is already claimed by " + it->second->path + " (" +
                              Where(it->second->spec.renamed_from_pos) + ")"});
        }
      }
    }
  }
}

std::string Lower(const std::string& text) {
  std::string out = text;
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

// Where a host name is already taken, for the DR host name checks.
struct NameOwner {
  std::string what;  // "server group.web.server.web-1", "DR host group.web.server.web-1.drill"
  std::string name;  // as written there
  SourcePos pos;
};

// A DR host becomes a host in the cloud next to the protected servers and the other DR hosts, so its name
// must not be taken by any of them. Host names are compared ignoring case, as DNS does.
void CheckDrHostNames(const std::vector<ParsedDocument>& documents, std::vector<Diagnostic>* out) {
  std::map<std::string, NameOwner> servers;
  for (const ParsedDocument& doc : documents) {
    for (const ParsedGroup& group : doc.groups) {
      for (const ParsedServer& server : group.servers) {
        const ServerSpec& s = server.spec;
        if (server.name_ok)
          servers.emplace(Lower(s.name), NameOwner{"server " + server.path, s.name, s.name_pos});
        if (!s.host.empty()) {
          servers.emplace(Lower(s.host), NameOwner{"the host of " + server.path, s.host, s.host_pos});
        }
      }
    }
  }
  std::map<std::string, NameOwner> dr_hosts;
  auto check = [&](const DrHostSpec& host, const std::string& path) {
    const std::string key = Lower(host.name);
    if (auto it = servers.find(key); it != servers.end()) {
      out->push_back({host.name_pos, path + ".name",
                      "DR host name `" + host.name + "` is already taken by " + it->second.what + " (`" +
                          it->second.name + "` at " + Where(it->second.pos) +
                          "); a DR host needs a name of its own"});
    } else if (auto [first, inserted] =
                   dr_hosts.emplace(key, NameOwner{"DR host " + path, host.name, host.name_pos});
               !inserted) {
      out->push_back({host.name_pos, path + ".name",
                      "DR host name `" + host.name + "` is already used by " + first->second.what + " (`" +
                          first->second.name + "` at " + Where(first->second.pos) + ")"});
    }
  };
  for (const ParsedDocument& doc : documents) {
    for (const ParsedGroup& group : doc.groups) {
      for (const ParsedServer& server : group.servers) {
        if (server.drill_name_ok) check(server.spec.drill->host, server.path + ".drill");
        if (server.failover_name_ok) check(server.spec.failover->host, server.path + ".failover");
      }
    }
  }
}

void CheckQuota(const std::vector<ParsedDocument>& documents, std::vector<Diagnostic>* out) {
  const ParsedDocument* quota_doc = nullptr;
  for (const ParsedDocument& doc : documents) {
    if (doc.quota && !quota_doc) quota_doc = &doc;
  }
  if (quota_doc && !quota_doc->agents_ok) return;  // the bad value is reported already
  const int agents = quota_doc ? quota_doc->quota->agents : QuotaSpec{}.agents;

  std::vector<const ParsedServer*> servers;
  for (const ParsedDocument& doc : documents) {
    for (const ParsedGroup& group : doc.groups) {
      for (const ParsedServer& server : group.servers) servers.push_back(&server);
    }
  }
  if (static_cast<int>(servers.size()) <= agents) return;
  std::string message = "spec declares " + std::to_string(servers.size()) + " agents but the quota is " +
                        std::to_string(agents);
  message += agents < kMaxAgents ? " (raise [quota] agents, max " + std::to_string(kMaxAgents) + ")"
                                 : " (the maximum per tenant and region)";
  if (quota_doc && quota_doc->agents_pos) {
    out->push_back({*quota_doc->agents_pos, "quota.agents", message});
  } else {
    const ParsedServer& first_over = *servers[agents];
    out->push_back({first_over.spec.pos, first_over.path, message});
  }
}

}  // namespace

void CheckCrossReferences(const std::vector<ParsedDocument>& documents, std::vector<Diagnostic>* out) {
  CheckSingleDeclarations(documents, out);
  CheckGroupNames(documents, out);
  CheckServers(documents, out);
  CheckServerRenames(documents, out);
  CheckDrHostNames(documents, out);
  CheckQuota(documents, out);
}

}  // namespace cdr::specs::internal
